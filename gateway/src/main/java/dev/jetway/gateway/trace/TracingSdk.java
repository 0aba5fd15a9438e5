package dev.jetway.gateway.trace;

import dev.jetway.gateway.config.TracingSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the OpenTelemetry SDK with its autoconfiguration, so the standard {@code OTEL_*} variables (and
 * {@code otel.*} system properties) work as OpenTelemetry documents them: exporter endpoint, headers, timeout,
 * compression, certificates, batch sizes, resource attributes. jetway.yaml's {@code tracing} keys, when written, win
 * over their variables. What Jetway fixes whatever the environment says: traces only (no metrics or logs exporter:
 * the gateway's metrics are on {@code /metrics}), OTLP over HTTP, W3C trace context, and its sampler
 * ({@link #sampler}).
 */
final class TracingSdk {

    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private TracingSdk() {
    }

    /** The SDK, and one line for the start log: where spans go, which sampler, as which service. */
    record Built(OpenTelemetrySdk sdk, String description) {
    }

    /**
     * @param exporter null: batch spans to the OTLP collector; else hand each span to it as it ends
     */
    static Built build(TracingSettings settings, SpanExporter exporter) {
        String[] described = new String[3];
        try {
            OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .disableShutdownHook() // the server closes it, after its last request
                    .addPropertiesCustomizer(config -> {
                        described[0] = exporter != null ? "spans to " + exporter.getClass().getSimpleName()
                                : "OTLP/HTTP to " + tracesUrl(settings, config);
                        return overrides(settings, config, exporter != null);
                    })
                    .addSamplerCustomizer((ignored, config) -> {
                        Sampler sampler = sampler(settings, config);
                        described[1] = sampler.getDescription();
                        return sampler;
                    })
                    .addResourceCustomizer((resource, config) -> {
                        Resource named = resource(resource, settings);
                        described[2] = named.getAttribute(SERVICE_NAME);
                        return named;
                    })
                    .addTracerProviderCustomizer((builder, config) -> exporter == null ? builder
                            : builder.addSpanProcessor(SimpleSpanProcessor.create(exporter)))
                    .build()
                    .getOpenTelemetrySdk();
            return new Built(sdk, described[0] + ", sampler " + described[1] + ", service.name " + described[2]);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // the SDK's configuration errors name the OTEL_* setting at fault
            throw new IllegalArgumentException("tracing: " + e.getMessage(), e);
        }
    }

    /** The properties jetway.yaml sets, and the ones Jetway fixes; they win over the environment. */
    static Map<String, String> overrides(TracingSettings settings, ConfigProperties config, boolean ownExporter) {
        Map<String, String> p = new HashMap<>();
        p.put("otel.sdk.disabled", "false"); // jetway.yaml's tracing block is the switch
        p.put("otel.traces.exporter", ownExporter ? "none" : "otlp");
        p.put("otel.metrics.exporter", "none");
        p.put("otel.logs.exporter", "none");
        p.put("otel.propagators", "tracecontext");
        if (settings.protocol() == null) {
            String fromEnv = config.getString("otel.exporter.otlp.traces.protocol",
                    config.getString("otel.exporter.otlp.protocol"));
            if (fromEnv != null) {
                TracingSettings.checkProtocol("OTEL_EXPORTER_OTLP_PROTOCOL", fromEnv);
            }
        }
        p.put("otel.exporter.otlp.traces.protocol", TracingSettings.HTTP_PROTOBUF);
        if (settings.endpoint() != null) {
            p.put("otel.exporter.otlp.traces.endpoint", TracingSettings.tracesUrl(settings.endpoint()));
        }
        if (!settings.headers().isEmpty()) {
            Map<String, String> headers = new LinkedHashMap<>(config.getMap("otel.exporter.otlp.traces.headers"));
            if (headers.isEmpty()) {
                headers.putAll(config.getMap("otel.exporter.otlp.headers"));
            }
            headers.putAll(settings.headers());
            StringJoiner joined = new StringJoiner(",");
            // the SDK URL-decodes header values, as the OTEL_EXPORTER_OTLP_HEADERS format says
            headers.forEach((k, v) -> joined.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
            p.put("otel.exporter.otlp.traces.headers", joined.toString());
        }
        return p;
    }

    /**
     * OpenTelemetry's ParentBased sampler: a span of the gateway's own (a stage, a leg) follows its request's
     * decision; a request without a parent is sampled by trace-id ratio; one whose client sent a {@code traceparent}
     * follows that parent's sampled flag only when {@code parentBased} (the client decides what is traced and the
     * gateway's cost), else it gets a draw of its own ({@link RemoteParentRatioSampler}).
     */
    static Sampler sampler(TracingSettings settings, ConfigProperties config) {
        String fromEnv = config.getString("otel.traces.sampler");
        double ratio = settings.samplingRatio() != null ? settings.samplingRatio() : ratioFromEnv(fromEnv, config);
        boolean parentBased = settings.parentBased() != null ? settings.parentBased()
                : fromEnv != null && fromEnv.startsWith("parentbased_");
        Sampler root = Sampler.traceIdRatioBased(ratio);
        if (parentBased) {
            return Sampler.parentBased(root);
        }
        Sampler own = new RemoteParentRatioSampler(ratio);
        return Sampler.parentBasedBuilder(root).setRemoteParentSampled(own).setRemoteParentNotSampled(own).build();
    }

    private static double ratioFromEnv(String sampler, ConfigProperties config) {
        if (sampler == null) {
            return TracingSettings.DEFAULT_SAMPLING_RATIO;
        }
        return switch (sampler) {
            case "always_on", "parentbased_always_on" -> 1.0;
            case "always_off", "parentbased_always_off" -> 0.0;
            case "traceidratio", "parentbased_traceidratio" -> config.getDouble("otel.traces.sampler.arg", 1.0);
            default -> TracingSettings.DEFAULT_SAMPLING_RATIO;
        };
    }

    /** {@code service.name}: jetway.yaml's, else the environment's, else {@code jetway} rather than the SDK's unknown. */
    private static Resource resource(Resource resource, TracingSettings settings) {
        String name = settings.serviceName();
        if (name == null) {
            String current = resource.getAttribute(SERVICE_NAME);
            if (current != null && !current.startsWith("unknown_service")) {
                return resource;
            }
            name = TracingSettings.DEFAULT_SERVICE_NAME;
        }
        return resource.merge(Resource.create(Attributes.of(SERVICE_NAME, name)));
    }

    /** Where the exporter will post: jetway.yaml's endpoint, else the environment's, else OpenTelemetry's default. */
    private static String tracesUrl(TracingSettings settings, ConfigProperties config) {
        if (settings.endpoint() != null) {
            return TracingSettings.tracesUrl(settings.endpoint());
        }
        String signal = config.getString("otel.exporter.otlp.traces.endpoint");
        if (signal != null) {
            return signal;
        }
        String base = config.getString("otel.exporter.otlp.endpoint");
        return base != null ? TracingSettings.tracesUrl(base) : "http://localhost:4318/v1/traces";
    }
}
