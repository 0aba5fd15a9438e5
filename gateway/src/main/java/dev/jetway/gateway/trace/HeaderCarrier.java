package dev.jetway.gateway.trace;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.netty.handler.codec.http.HttpHeaders;

/** Netty's HTTP headers as the carrier of W3C trace context, both ways. */
enum HeaderCarrier implements TextMapGetter<HttpHeaders>, TextMapSetter<HttpHeaders> {
    INSTANCE;

    @Override
    public Iterable<String> keys(HttpHeaders carrier) {
        return carrier.names();
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
        return carrier == null ? null : carrier.get(key);
    }

    @Override
    public void set(HttpHeaders carrier, String key, String value) {
        if (carrier != null) {
            carrier.set(key, value);
        }
    }
}
