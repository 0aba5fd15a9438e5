package dev.jetway.gateway.extproc;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import java.util.Locale;

/**
 * A request's headers as Envoy sent them: the pseudo-headers the path needs, and the rest as HTTP headers for the
 * request path (names lower-cased, as Envoy sends them; repeated names kept in order).
 *
 * @param method      {@code :method}
 * @param path        {@code :path} without its query string
 * @param uri         {@code :path} as sent
 * @param headers     every other header
 * @param endOfStream the request has no body
 */
record RequestHead(String method, String path, String uri, io.netty.handler.codec.http.HttpHeaders headers,
                   boolean endOfStream) {

    private static final DefaultHttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);

    static RequestHead of(HttpHeaders message) {
        String method = "GET";
        String uri = "/";
        // Envoy's names are valid HTTP/2 names already; validating them again costs time on every request
        io.netty.handler.codec.http.HttpHeaders headers = HEADERS.newHeaders();
        for (HeaderValue h : message.getHeaders().getHeadersList()) {
            String name = h.getKey();
            String value = EnvoyMessages.value(h);
            if (name.startsWith(":")) {
                switch (name) {
                    case ":method" -> method = value;
                    case ":path" -> uri = value;
                    case ":authority" -> headers.add("host", value);
                    default -> {
                    }
                }
            } else {
                headers.add(name.toLowerCase(Locale.ROOT), value);
            }
        }
        int q = uri.indexOf('?');
        return new RequestHead(method, q < 0 ? uri : uri.substring(0, q), uri, headers, message.getEndOfStream());
    }
}
