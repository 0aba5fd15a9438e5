package dev.jetway.bench.live;

import dev.jetway.bench.config.ApiType;
import dev.jetway.bench.metrics.Cost;
import dev.jetway.bench.metrics.Slo;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how a live benchmark sends its requests.
 *
 * @param baseUrl        the server's base URL, e.g. {@code http://127.0.0.1:8080} (with or without {@code /v1})
 * @param model          value of the {@code model} field
 * @param api            completions or chat completions
 * @param streaming      SSE streaming (TTFT and ITL measurable) or one JSON answer (TTFT = E2E)
 * @param ignoreEos      send vLLM's {@code ignore_eos} so outputs have exactly {@code max_tokens}
 * @param requestTimeout a request not finished within this is aborted and counted as failed
 * @param headers        extra request headers (e.g. {@code Authorization})
 * @param slo            SLO for goodput, or null
 * @param cost           hardware cost for tokens per dollar, or null
 */
public record LiveOptions(URI baseUrl, String model, ApiType api, boolean streaming, boolean ignoreEos,
                          Duration requestTimeout, Map<String, String> headers, Slo slo, Cost cost) {

    public LiveOptions {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        headers = Map.copyOf(headers);
        String scheme = baseUrl.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("base URL must be http(s)://host[:port][/v1]: " + baseUrl);
        }
    }

    public static LiveOptions of(URI baseUrl, String model) {
        return new LiveOptions(baseUrl, model, ApiType.COMPLETION, true, true, Duration.ofMinutes(10), Map.of(),
                null, null);
    }

    /** The endpoint URL for the API type, accepting base URLs with or without a trailing {@code /v1}. */
    public URI endpoint() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.endsWith("/v1")) {
            base = base + "/v1";
        }
        return URI.create(base + (api == ApiType.CHAT ? "/chat/completions" : "/completions"));
    }
}
