package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code audit} in jetway.yaml: one JSON record per inference request, written off the request path by one thread
 * (docs/governance.md). Off unless given; needs a {@code file}, an {@code otlp} endpoint, or both.
 *
 * <pre>
 * audit:
 *   file: audit/jetway-audit.jsonl     # relative to jetway.yaml
 *   maxFileBytes: 104857600            # rotate past this size
 *   maxFiles: 5                        # rotated files kept (.1 newest)
 *   queueCapacity: 10000               # records waiting for the writer; more are dropped and counted
 *   includePrompt: false               # the prompt's text (as forwarded) in the record
 *   includeCompletion: false           # the completion's text in the record
 *   redact:                            # applied to recorded text
 *     - {name: email, pattern: "[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+", replacement: "[email]"}
 *   otlp: {endpoint: http://collector:4318/v1/logs}
 * </pre>
 *
 * @param file              the JSONL file (relative to jetway.yaml), or null (no file)
 * @param maxFileBytes      the file is rotated before it would grow past this
 * @param maxFiles          rotated files kept besides the current one ({@code file.1} the newest); 0 keeps none
 * @param queueCapacity     records waiting for the writer at most
 * @param maxQueueBytes     captured prompt and completion bytes waiting for the writer at most
 * @param includePrompt     record the prompt text (chat messages or completion prompts, as forwarded)
 * @param includeCompletion record the generated text
 * @param maxTextBytes      per request, at most this many bytes of the forwarded body and of the response are kept for
 *                          the text; beyond it the record says {@code "truncated": true}
 * @param redact            rewrite recorded text (never what is forwarded: that is {@code guardrails.redact})
 * @param otlp              also send records as OpenTelemetry log records (OTLP/HTTP JSON), or null
 */
public record AuditSettings(String file, Long maxFileBytes, Integer maxFiles, Integer queueCapacity,
                            Long maxQueueBytes, Boolean includePrompt, Boolean includeCompletion,
                            Integer maxTextBytes, List<RegexRule> redact, Otlp otlp) {

    /**
     * OTLP/HTTP log export.
     *
     * @param endpoint  the collector's logs URL ({@code http://host:4318/v1/logs})
     * @param timeout   one export call's deadline
     * @param headers   extra request headers (e.g. an API key)
     * @param serviceName the {@code service.name} resource attribute
     */
    public record Otlp(String endpoint, Duration timeout, Map<String, String> headers, String serviceName) {

        public Otlp {
            if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
                throw new IllegalArgumentException("audit.otlp.endpoint must be an http(s) URL of the collector's "
                        + "logs path (e.g. http://collector:4318/v1/logs), got " + endpoint);
            }
            timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
            ConfigChecks.positive("audit.otlp.timeout", timeout);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            serviceName = serviceName == null ? "jetway" : serviceName;
        }
    }

    public AuditSettings {
        if (file == null && otlp == null) {
            throw new IllegalArgumentException("audit needs somewhere to write: audit.file, audit.otlp, or both");
        }
        if (file != null && file.isBlank()) {
            throw new IllegalArgumentException("audit.file must not be empty");
        }
        maxFileBytes = maxFileBytes == null ? 100L * 1024 * 1024 : maxFileBytes;
        maxFiles = maxFiles == null ? 5 : maxFiles;
        queueCapacity = queueCapacity == null ? 10_000 : queueCapacity;
        maxQueueBytes = maxQueueBytes == null ? 64L * 1024 * 1024 : maxQueueBytes;
        includePrompt = includePrompt != null && includePrompt;
        includeCompletion = includeCompletion != null && includeCompletion;
        maxTextBytes = maxTextBytes == null ? 1024 * 1024 : maxTextBytes;
        if (maxFileBytes < 4096) {
            throw new IllegalArgumentException("audit.maxFileBytes must be at least 4096, got " + maxFileBytes);
        }
        ConfigChecks.nonNegative("audit.maxFiles", maxFiles);
        ConfigChecks.positive("audit.queueCapacity", queueCapacity);
        if (maxQueueBytes <= 0) {
            throw new IllegalArgumentException("audit.maxQueueBytes must be positive, got " + maxQueueBytes);
        }
        ConfigChecks.positive("audit.maxTextBytes", maxTextBytes);
        redact = RegexRule.checked("audit.redact", "redact", redact);
    }

    /** Whether the records carry text, so the request path must keep bytes for them. */
    public boolean capturesText() {
        return includePrompt || includeCompletion;
    }
}
