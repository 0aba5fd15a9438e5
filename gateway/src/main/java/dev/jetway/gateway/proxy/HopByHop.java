package dev.jetway.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Headers that belong to one connection (RFC 9110 §7.6.1) and must not be forwarded by a proxy. */
final class HopByHop {

    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "host", "content-length", "expect");

    /** Netty's HTTP/2-to-HTTP/1 adapter notes the stream id and scheme in these; they describe the client's hop. */
    private static final String HTTP2_EXTENSION_PREFIX = "x-http2-";

    private HopByHop() {
    }

    /**
     * Copies {@code from} into {@code to} without hop-by-hop headers (also those named in any Connection header),
     * Host, Length.
     */
    static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        copyEndToEnd(from, to, name -> false);
    }

    /** As {@link #copyEndToEnd(HttpHeaders, HttpHeaders)}, also leaving out the headers {@code drop} names (lower case). */
    static void copyEndToEnd(HttpHeaders from, HttpHeaders to, java.util.function.Predicate<String> drop) {
        Set<String> named = Set.of();
        // every Connection header's names: a message may carry several, whose lists add up (RFC 9110 §5.3)
        for (String connection : from.getAll(HttpHeaderNames.CONNECTION)) {
            if (named.isEmpty()) {
                named = new HashSet<>();
            }
            for (String token : connection.split(",")) {
                named.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        for (var it = from.iteratorCharSequence(); it.hasNext(); ) {
            var h = it.next();
            String name = h.getKey().toString().toLowerCase(Locale.ROOT);
            if (!NAMES.contains(name) && !named.contains(name) && !name.startsWith(HTTP2_EXTENSION_PREFIX)
                    && !drop.test(name)) {
                to.add(h.getKey(), h.getValue());
            }
        }
    }
}
