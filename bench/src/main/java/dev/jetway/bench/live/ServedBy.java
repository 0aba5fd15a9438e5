package dev.jetway.bench.live;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which replica served a live request, from the endpoint a Jetway gateway names in its response headers
 * ({@code x-jetway-endpoint}, and {@code x-jetway-prefill-endpoint} for the prefill leg of a split request).
 * Replicas the benchmark scrapes keep their scrape index, so per-replica requests and queue statistics land on the
 * same row; any other endpoint gets the next free index the first time it is seen. A target that is not a Jetway
 * gateway names no endpoint: its requests then count on no replica, and the report leaves those columns out rather
 * than showing zeros.
 */
final class ServedBy {

    static final String ENDPOINT_HEADER = "x-jetway-endpoint";
    static final String PREFILL_ENDPOINT_HEADER = "x-jetway-prefill-endpoint";

    private final Map<String, Integer> indexes = new ConcurrentHashMap<>();
    private final AtomicInteger next;

    ServedBy(List<URI> scrapedReplicas) {
        for (int i = 0; i < scrapedReplicas.size(); i++) {
            URI u = scrapedReplicas.get(i);
            int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
            indexes.putIfAbsent(normalise(u.getHost() + ":" + port), i);
        }
        next = new AtomicInteger(scrapedReplicas.size());
    }

    /** The replica index of an endpoint header value ({@code host:port}); -1 when absent. */
    int replica(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            return -1;
        }
        return indexes.computeIfAbsent(normalise(endpoint), k -> next.getAndIncrement());
    }

    /** {@code localhost} and {@code 127.0.0.1} are one replica; an IPv6 literal may come with or without brackets. */
    private static String normalise(String endpoint) {
        String e = endpoint.strip().toLowerCase(java.util.Locale.ROOT);
        if (e.startsWith("localhost:")) {
            e = "127.0.0.1:" + e.substring("localhost:".length());
        }
        return e.replace("[", "").replace("]", "");
    }
}
