package dev.jetway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.kvevents.PrecisePlans;
import dev.jetway.gateway.routing.PickerConfigs;
import dev.jetway.gateway.tokenize.RemoteTokenizers;
import dev.jetway.gateway.tokenize.TokenizerChoice;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code jetway config check jetway.yaml}: the gateway file checked the way {@code jetway gateway} would load it, then
 * every pool's EndpointPickerConfig built as a reload would build it, all problems reported together.
 */
final class GatewayConfigCheck {

    /** Top-level keys only a gateway file has; an EndpointPickerConfig has {@code plugins}/{@code schedulingProfiles}. */
    private static final Set<String> GATEWAY_KEYS = Set.of("pools", "server", "upstream", "dataLayer", "admission",
            "tenantRateLimits", "kubernetes", "peers", "audit", "guardrails", "tracing");

    private GatewayConfigCheck() {
    }

    /** Whether {@code file} is a jetway.yaml rather than an EndpointPickerConfig (unreadable files are neither). */
    static boolean isGatewayFile(Path file) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            if (root == null || !root.isObject() || root.has("plugins") || root.has("schedulingProfiles")
                    || root.has("kind")) {
                return false;
            }
            for (var it = root.fieldNames(); it.hasNext(); ) {
                if (GATEWAY_KEYS.contains(it.next())) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // the picker check reports why the file cannot be read
        }
    }

    /** Prints the resolved gateway and each pool's pipeline, or every problem; the exit code. */
    static int check(Path file, PrintWriter out, PrintWriter err) {
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (RuntimeException e) {
            err.println(file + ": 1 problem");
            err.println("  - " + e.getMessage());
            err.flush();
            return ConfigCommand.INVALID;
        }
        List<String> problems = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        var server = config.server();
        text.append(file).append(": a jetway.yaml gateway config\n");
        text.append("server: API on ").append(server.host()).append(':').append(server.port())
                .append(server.adminPort() < 0 ? ", no admin port" : ", admin (/metrics, /ready) on port "
                        + server.adminPort()).append('\n');
        if (config.audit() != null) {
            describeAudit(config, text, problems);
        }
        if (config.guardrails() != null) {
            describeGuardrails(config.guardrails(), text);
        }
        if (config.tracing() != null) {
            describeTracing(config.tracing(), text);
        }
        int warnings = 0;
        for (PoolConfig pool : config.pools()) {
            text.append("pool ").append(pool.name()).append(": models ").append(pool.models()).append(", ")
                    .append(endpoints(pool)).append('\n');
            if (pool.endpointPickerConfigMap() != null) {
                text.append("  endpoint picker from ConfigMap ").append(pool.endpointPickerConfigMap())
                        .append(" (checked when it is read)\n");
                text.append("  tokenizer: ").append(PoolConfig.AUTO_TOKENIZER.equals(pool.tokenizer())
                        ? "auto (engine if the ConfigMap's picker matches KV events, else estimate)"
                        : TokenizerChoice.of(pool, false).describe()).append('\n');
                continue;
            }
            try (RemoteTokenizers tokenizers = new RemoteTokenizers()) {
                // as the gateway resolves it: the default policy routes on KV events when every endpoint has them
                EndpointPickerConfig picker = PickerConfigs.resolve(pool.endpointPicker(), config.baseDir(), pool.name(),
                        pool.routesOnKvEvents());
                Scheduler scheduler = Scheduler.fromConfig(picker, PickerConfigs.checkEnvironment(picker, tokenizers));
                text.append("  tokenizer: ").append(TokenizerChoice.of(pool, PrecisePlans.matchesKvEvents(scheduler))
                        .describe()).append(pool.discovered() && PoolConfig.AUTO_TOKENIZER.equals(pool.tokenizer())
                        ? " (decided again as endpoints are discovered)" : "").append('\n');
                text.append("  endpoint picker ").append(pickerSource(pool.endpointPicker())).append(":\n");
                scheduler.describe().lines().forEach(l -> text.append("    ").append(l).append('\n'));
                for (var w : scheduler.warnings()) {
                    text.append("    warning: ").append(w).append('\n');
                    warnings++;
                }
            } catch (ConfigException e) {
                e.problems().forEach(p -> problems.add(p.startsWith("pool ") ? p : "pool " + pool.name() + ": " + p));
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            err.println(file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
            problems.forEach(p -> err.println("  - " + p));
            err.flush();
            return ConfigCommand.INVALID;
        }
        out.print(text);
        out.println(warnings == 0 ? "OK" : "OK, with " + warnings + " warning" + (warnings == 1 ? "" : "s"));
        out.flush();
        return 0;
    }

    /** Where spans go and how many, as far as the file says (the OTEL_* variables fill in the rest at start). */
    private static void describeTracing(dev.jetway.gateway.config.TracingSettings tracing, StringBuilder text) {
        if (!tracing.enabled()) {
            text.append("tracing: off (enabled: false)\n");
            return;
        }
        text.append("tracing: OTLP/HTTP to ").append(tracing.endpoint() == null
                        ? "OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318"
                        : dev.jetway.gateway.config.TracingSettings.tracesUrl(tracing.endpoint()))
                .append(", sampling ").append(tracing.samplingRatio() == null ? "OTEL_TRACES_SAMPLER_ARG, else "
                        + dev.jetway.gateway.config.TracingSettings.DEFAULT_SAMPLING_RATIO : tracing.samplingRatio())
                .append(tracing.parentBased() == null ? "" : Boolean.TRUE.equals(tracing.parentBased())
                        ? ", a client's sampled flag followed" : ", a client's sampled flag not followed")
                .append('\n');
    }

    /** The audit log's sinks, and whether its file's directory is there to write in (as the start checks it). */
    private static void describeAudit(GatewayConfig config, StringBuilder text, List<String> problems) {
        var audit = config.audit();
        text.append("audit: one record per request to");
        if (audit.file() != null) {
            Path file = config.baseDir().resolve(audit.file()).toAbsolutePath().normalize();
            text.append(' ').append(file).append(" (rotated at ").append(audit.maxFileBytes()).append(" bytes, ")
                    .append(audit.maxFiles()).append(" kept)");
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                problems.add("audit.file: the directory " + dir + " does not exist");
            } else if (!Files.isWritable(dir)) {
                problems.add("audit.file: the directory " + dir + " is not writable");
            }
        }
        if (audit.otlp() != null) {
            text.append(audit.file() != null ? " and" : "").append(" OTLP ").append(audit.otlp().endpoint());
        }
        text.append(audit.includePrompt() || audit.includeCompletion() ? "; text: "
                + (audit.includePrompt() ? "prompt" : "") + (audit.includePrompt() && audit.includeCompletion()
                ? " and " : "") + (audit.includeCompletion() ? "completion" : "") + ", " + audit.redact().size()
                + " redaction rules" : "; no text").append('\n');
    }

    private static void describeGuardrails(dev.jetway.gateway.config.GuardrailSettings g, StringBuilder text) {
        text.append("guardrails: ").append(g.deny().size()).append(" deny, ").append(g.redact().size())
                .append(" redact rules; limits: ").append(limits(g.limits())).append(g.tenants().isEmpty() ? ""
                        : "; own limits for tenants " + new java.util.TreeSet<>(g.tenants().keySet()));
        if (g.moderation() != null) {
            text.append("; moderation ").append(g.moderation().kind()).append(' ').append(g.moderation().url())
                    .append(" (timeout ").append(g.moderation().timeout().toMillis()).append(" ms, fail ")
                    .append(g.moderation().failMode()).append(')');
        }
        text.append('\n');
    }

    private static String limits(dev.jetway.gateway.config.GuardrailSettings.Limits l) {
        List<String> parts = new ArrayList<>();
        if (l.models() != null) {
            parts.add("models " + l.models());
        }
        if (l.maxTokens() != null) {
            parts.add("maxTokens " + l.maxTokens());
        }
        if (l.maxPromptTokens() != null) {
            parts.add("maxPromptTokens " + l.maxPromptTokens());
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String endpoints(PoolConfig pool) {
        if (pool.inferencePool() != null) {
            return "endpoints from InferencePool " + pool.inferencePool().name();
        }
        if (pool.endpointsFile() != null) {
            return "endpoints from the file " + pool.endpointsFile();
        }
        return pool.endpoints().size() + (pool.endpoints().size() == 1 ? " endpoint" : " endpoints");
    }

    private static String pickerSource(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "(default policy jetway)";
        }
        if (value.isTextual() && !value.asText().contains("\n")) {
            return EndpointPickerConfig.BUILT_IN_POLICIES.contains(value.asText())
                    ? "(built-in policy " + value.asText() + ")" : value.asText();
        }
        return "(inline)";
    }
}
