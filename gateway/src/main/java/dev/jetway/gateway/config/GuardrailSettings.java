package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code guardrails} in jetway.yaml: what a request must pass before it is forwarded (docs/governance.md). Off unless
 * given. Top level rather than per pool: content rules and tenants' allowances are policy about who asks and what,
 * which crosses pools (a tenant's allowed models may live in several pools); {@code tenants} overrides the limits of
 * named tenants (a tenant is the fairness id, or what authentication assigned).
 *
 * <pre>
 * guardrails:
 *   deny:   [{name: private-key, pattern: "BEGIN [A-Z ]*PRIVATE KEY", reason: "prompts must not carry keys"}]
 *   redact: [{name: email, pattern: "[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+", replacement: "[email]"}]
 *   limits: {maxPromptTokens: 32000, maxTokens: 4096, models: [llama-8b]}
 *   tenants:
 *     team-a: {maxTokens: 16384, models: [llama-8b, llama-70b]}
 *   moderation: {url: http://guard:8000/v1/moderations, kind: openai, timeout: 500ms, failMode: closed}
 * </pre>
 *
 * @param deny       refuse a request whose prompt text matches (400 {@code content_policy_violation})
 * @param redact     rewrite matches in the prompt text before it is forwarded (and before routing reads it)
 * @param limits     the limits of every tenant not named in {@code tenants}
 * @param tenants    limits of named tenants; a field a tenant leaves out is taken from {@code limits}
 * @param moderation an external check of the prompt text, or null
 */
public record GuardrailSettings(List<RegexRule> deny, List<RegexRule> redact, Limits limits,
                                Map<String, Limits> tenants, Moderation moderation) {

    /**
     * A tenant's allowances.
     *
     * @param models          the models it may use; null = any
     * @param maxPromptTokens the prompt's size at most, counted as the rate limiter counts it (token ids sent, else 4
     *                        characters per token); null = no limit
     * @param maxTokens       {@code max_tokens} at most: more is refused, and a request that sets none gets this
     *                        written into it; null = no limit
     */
    public record Limits(List<String> models, Integer maxPromptTokens, Integer maxTokens) {

        static final Limits NONE = new Limits(null, null, null);

        public Limits {
            models = models == null ? null : List.copyOf(models);
        }

        /** This tenant's limits with what it leaves out taken from {@code defaults}. */
        Limits over(Limits defaults) {
            return new Limits(models != null ? models : defaults.models(),
                    maxPromptTokens != null ? maxPromptTokens : defaults.maxPromptTokens(),
                    maxTokens != null ? maxTokens : defaults.maxTokens());
        }

        void check(String key) {
            if (maxPromptTokens != null) {
                ConfigChecks.positive(key + ".maxPromptTokens", maxPromptTokens);
            }
            if (maxTokens != null) {
                ConfigChecks.positive(key + ".maxTokens", maxTokens);
            }
            if (models != null && models.stream().anyMatch(m -> m == null || m.isBlank())) {
                throw new IllegalArgumentException(key + ".models must list model names, got " + models);
            }
        }
    }

    /** The external check's protocol. */
    public enum ModerationKind {
        /** {@code POST /v1/moderations} ({@code {"input": [...]}} → {@code results[].flagged}). */
        OPENAI,
        /** A guard chat model (e.g. Llama Guard behind vLLM's {@code /v1/chat/completions}) answering "safe" or "unsafe\nS1". */
        LLAMA_GUARD;

        static ModerationKind parse(String text) {
            return switch (text == null ? "openai" : text.toLowerCase(Locale.ROOT)) {
                case "openai" -> OPENAI;
                case "llama-guard", "llama_guard", "llamaguard" -> LLAMA_GUARD;
                default -> throw new IllegalArgumentException("guardrails.moderation.kind must be openai or "
                        + "llama-guard, got " + text);
            };
        }
    }

    /**
     * The external check.
     *
     * @param url      the moderation endpoint ({@code kind: openai}: {@code .../v1/moderations}; {@code llama-guard}:
     *                 the guard model's {@code .../v1/chat/completions})
     * @param kind     {@code openai} (default) or {@code llama-guard}
     * @param model    the model field of the check's request (required for {@code llama-guard})
     * @param timeout  the check's deadline; a check not answered by then follows {@code failMode}
     * @param failMode {@code open} (default: an unanswered or failed check lets the request through, counted) or
     *                 {@code closed} (it is refused with 503 {@code guardrail_unavailable})
     * @param apiKey   sent as {@code Authorization: Bearer}, or null
     */
    public record Moderation(String url, String kind, String model, Duration timeout, String failMode,
                             String apiKey) {

        public Moderation {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new IllegalArgumentException("guardrails.moderation.url must be an http(s) URL, got " + url);
            }
            ModerationKind parsed = ModerationKind.parse(kind);
            kind = parsed.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (parsed == ModerationKind.LLAMA_GUARD && (model == null || model.isBlank())) {
                throw new IllegalArgumentException("guardrails.moderation.model is required for kind llama-guard "
                        + "(the guard model's name as its server lists it)");
            }
            timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
            ConfigChecks.positive("guardrails.moderation.timeout", timeout);
            failMode = failMode == null ? "open" : failMode.toLowerCase(Locale.ROOT);
            if (!failMode.equals("open") && !failMode.equals("closed")) {
                throw new IllegalArgumentException("guardrails.moderation.failMode must be open or closed, got "
                        + failMode);
            }
        }

        public ModerationKind kindValue() {
            return ModerationKind.parse(kind);
        }

        public boolean failClosed() {
            return failMode.equals("closed");
        }
    }

    public GuardrailSettings {
        deny = RegexRule.checked("guardrails.deny", "deny", deny);
        redact = RegexRule.checked("guardrails.redact", "redact", redact);
        limits = limits == null ? Limits.NONE : limits;
        limits.check("guardrails.limits");
        tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
        tenants.forEach((tenant, l) -> {
            if (l == null) {
                throw new IllegalArgumentException("guardrails.tenants." + tenant + " is empty: give models, "
                        + "maxPromptTokens or maxTokens");
            }
            l.check("guardrails.tenants." + tenant);
        });
    }

    /** The limits of {@code tenant}. */
    public Limits limitsFor(String tenant) {
        Limits own = tenants.get(tenant);
        return own == null ? limits : own.over(limits);
    }

    /** Whether the rules need the prompt's text (deny, redact, moderation, a prompt size limit). */
    public boolean readsText() {
        return !deny.isEmpty() || !redact.isEmpty() || moderation != null || limits.maxPromptTokens() != null
                || tenants.values().stream().anyMatch(l -> l.maxPromptTokens() != null);
    }
}
