package dev.jetway.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * {@code tracing} in jetway.yaml: OpenTelemetry spans of every sampled request, exported over OTLP/HTTP
 * (docs/operations.md, "Tracing"). Off unless given; read at start.
 *
 * <pre>
 * tracing:
 *   endpoint: http://otel-collector:4318   # the collector's OTLP/HTTP address; /v1/traces is added to a bare one
 *   samplingRatio: 0.1                     # share of requests traced (a new trace's own draw)
 *   parentBased: false                     # true: a sampled/unsampled traceparent from the client decides instead
 *   serviceName: jetway
 *   headers: {authorization: "Bearer ..."} # sent with every export
 * </pre>
 *
 * A key left out is taken from the standard OpenTelemetry variable when it is set ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_TRACES_SAMPLER}/{@code _ARG}, {@code OTEL_SERVICE_NAME}, {@code OTEL_EXPORTER_OTLP_HEADERS}, ...), else
 * from Jetway's default; a key written here wins over its variable. So every field but {@code enabled} stays null when
 * not written.
 *
 * @param enabled       false switches tracing off while keeping the block (default true)
 * @param endpoint      the collector's OTLP/HTTP URL: {@code http://host:4318} (the traces path is added) or the full
 *                      traces URL; null: {@code OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT}, else {@code http://localhost:4318}
 * @param protocol      {@code http/protobuf}, the only one this build exports with; null: the same
 * @param samplingRatio 0..1, the share of new traces recorded; null: {@code OTEL_TRACES_SAMPLER_ARG}, else
 *                      {@value #DEFAULT_SAMPLING_RATIO}
 * @param parentBased   whether an incoming {@code traceparent}'s sampled flag decides (OpenTelemetry's ParentBased);
 *                      null: whether {@code OTEL_TRACES_SAMPLER} is a {@code parentbased_*} one, else false
 * @param serviceName   the {@code service.name} resource attribute; null: {@code OTEL_SERVICE_NAME}, else
 *                      {@code jetway}
 * @param headers       extra headers of every export request (an API key); merged over
 *                      {@code OTEL_EXPORTER_OTLP_(TRACES_)HEADERS}
 */
public record TracingSettings(Boolean enabled, String endpoint, String protocol, Double samplingRatio,
                              Boolean parentBased, String serviceName, Map<String, String> headers) {

    public static final double DEFAULT_SAMPLING_RATIO = 0.1;
    public static final String DEFAULT_SERVICE_NAME = "jetway";
    public static final String HTTP_PROTOBUF = "http/protobuf";

    public TracingSettings {
        enabled = enabled == null || enabled;
        if (endpoint != null) {
            checkEndpoint(endpoint);
        }
        if (protocol != null) {
            checkProtocol("tracing.protocol", protocol);
        }
        if (samplingRatio != null && !(samplingRatio >= 0.0 && samplingRatio <= 1.0)) {
            throw new IllegalArgumentException("tracing.samplingRatio must be between 0 and 1 (the share of requests "
                    + "traced), got " + samplingRatio);
        }
        if (serviceName != null && serviceName.isBlank()) {
            throw new IllegalArgumentException("tracing.serviceName must not be empty");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** Tracing on, to {@code endpoint}, every other key from the environment or its default. */
    public static TracingSettings to(String endpoint) {
        return new TracingSettings(true, endpoint, null, null, null, null, null);
    }

    public TracingSettings withSamplingRatio(Double ratio) {
        return new TracingSettings(enabled, endpoint, protocol, ratio, parentBased, serviceName, headers);
    }

    public TracingSettings withServiceName(String name) {
        return new TracingSettings(enabled, endpoint, protocol, samplingRatio, parentBased, name, headers);
    }

    public TracingSettings withParentBased(Boolean honoured) {
        return new TracingSettings(enabled, endpoint, protocol, samplingRatio, honoured, serviceName, headers);
    }

    /**
     * OTLP over gRPC would need a gRPC sender for the exporter that this build does not carry: the choice is refused
     * at start with the way out rather than failing on the first export.
     */
    public static void checkProtocol(String key, String protocol) {
        if (protocol.equals("grpc")) {
            throw new IllegalArgumentException(key + " grpc is not supported: Jetway exports traces over OTLP/HTTP ("
                    + HTTP_PROTOBUF + "); point it at the collector's OTLP/HTTP port (4318 by default)");
        }
        if (!protocol.equals(HTTP_PROTOBUF)) {
            throw new IllegalArgumentException(key + " must be " + HTTP_PROTOBUF + ", got " + protocol);
        }
    }

    private static void checkEndpoint(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("tracing.endpoint is not a URL: " + endpoint);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("tracing.endpoint must be an http(s) URL of the collector's OTLP/HTTP "
                    + "receiver (e.g. http://otel-collector:4318), got " + endpoint);
        }
    }

    /**
     * The URL spans are posted to: a bare {@code http://host:4318} gets OTLP's {@code /v1/traces}, as
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT} does; a URL with a path is taken as the traces URL itself.
     */
    public static String tracesUrl(String endpoint) {
        String path = URI.create(endpoint).getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint) + "/v1/traces";
        }
        return endpoint;
    }
}
