package dev.jetway.gateway.trace;

import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.gateway.request.ApiKind;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OpenTelemetry tracing (docs/operations.md, "Tracing"): off ({@link #off()}, no SDK at all: every
 * request gets {@link RequestTrace#NONE}), or an SDK exporting over OTLP/HTTP that starts a {@link RequestTrace} per
 * inference request, continuing the W3C trace context the client (or Envoy) sent.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    private static final Tracing OFF = new Tracing(null, null);
    /** The instrumentation scope of the gateway's spans. */
    static final String SCOPE = "dev.jetway.gateway";

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private Tracing(OpenTelemetrySdk sdk, Tracer tracer) {
        this.sdk = sdk;
        this.tracer = tracer;
    }

    public static Tracing off() {
        return OFF;
    }

    /** Tracing as {@code settings} say, exporting over OTLP/HTTP; off for null or {@code enabled: false}. */
    public static Tracing start(TracingSettings settings) {
        if (settings == null || !settings.enabled()) {
            return OFF;
        }
        TracingSdk.Built built = TracingSdk.build(settings, null);
        log.info("tracing on: {}", built.description());
        return new Tracing(built.sdk(), built.sdk().getTracer(SCOPE));
    }

    /**
     * Tracing as {@code settings} say (sampling, service name), every span handed to {@code exporter} as it ends
     * instead of being batched to a collector: tests, and debugging with a logging exporter.
     */
    public static Tracing start(TracingSettings settings, SpanExporter exporter) {
        if (settings == null || !settings.enabled()) {
            return OFF;
        }
        OpenTelemetrySdk sdk = TracingSdk.build(settings, exporter).sdk();
        return new Tracing(sdk, sdk.getTracer(SCOPE));
    }

    public boolean isOn() {
        return tracer != null;
    }

    /**
     * The trace of a new inference request: its server span starts now, parented by the request's
     * {@code traceparent} when it has a valid one.
     *
     * @param channel        the client's HTTP connection (or stream), or null for a request from an ext_proc stream
     * @param endpointPicker the request is Envoy's, in endpoint-picker mode ({@code jetway.mode})
     */
    public RequestTrace startRequest(HttpRequest http, ApiKind kind, long bodyBytes, Channel channel,
                                     boolean endpointPicker) {
        if (tracer == null) {
            return RequestTrace.NONE;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), http.headers(),
                HeaderCarrier.INSTANCE);
        String method = http.method().name();
        Span span = tracer.spanBuilder(method + " " + kind.path()).setParent(parent).setSpanKind(SpanKind.SERVER)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(TraceAttributes.HTTP_REQUEST_METHOD, method);
            span.setAttribute(TraceAttributes.HTTP_ROUTE, kind.path());
            span.setAttribute(TraceAttributes.URL_PATH, kind.path());
            span.setAttribute(TraceAttributes.GEN_AI_OPERATION,
                    kind == ApiKind.CHAT_COMPLETIONS ? "chat" : "text_completion");
            span.setAttribute(TraceAttributes.HTTP_REQUEST_BODY_SIZE, bodyBytes);
            String agent = http.headers().get(HttpHeaderNames.USER_AGENT);
            if (agent != null) {
                span.setAttribute(TraceAttributes.USER_AGENT, agent);
            }
            if (endpointPicker) {
                span.setAttribute(TraceAttributes.MODE, "endpoint-picker");
            }
            if (channel != null) {
                connection(span, channel);
            }
        }
        return new TracedRequest(tracer, span, kind.path());
    }

    private static void connection(Span span, Channel channel) {
        boolean h2 = channel instanceof Http2StreamChannel;
        Channel connection = h2 && channel.parent() != null ? channel.parent() : channel;
        span.setAttribute(TraceAttributes.NETWORK_PROTOCOL_VERSION, h2 ? "2" : "1.1");
        span.setAttribute(TraceAttributes.URL_SCHEME, connection.pipeline().get(SslHandler.class) != null
                ? "https" : "http");
        SocketAddress remote = connection.remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            span.setAttribute(TraceAttributes.CLIENT_ADDRESS, inet.getAddress().getHostAddress());
        }
    }

    /** Exports what is still buffered (up to a few seconds) and stops. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
