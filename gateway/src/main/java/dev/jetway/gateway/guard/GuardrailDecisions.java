package dev.jetway.gateway.guard;

import dev.jetway.gateway.config.GuardrailSettings;
import dev.jetway.gateway.config.RegexRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The decisions a configuration's guardrails can make, as the {@code rule} and {@code outcome} labels of
 * {@code jetway_guardrail_decisions_total} (the guard stage counts each one it makes): registered at zero when the
 * configuration loads, so a {@code rate()} or {@code absent()} alert on a guardrail works before its first decision.
 */
public final class GuardrailDecisions {

    /** One series: a rule's name (or {@code models}, {@code max-tokens}, ...) and what it did. */
    public record Decision(String rule, String outcome) {
    }

    // The label values, here and in the guard stage that counts them: one list, so the zeros match the decisions.
    public static final String MODELS = "models";
    public static final String MAX_TOKENS = "max-tokens";
    public static final String MAX_PROMPT_TOKENS = "max-prompt-tokens";
    public static final String MODERATION = "moderation";
    public static final String DENIED = "denied";
    public static final String CAPPED = "capped";
    public static final String REDACTED = "redacted";
    public static final String ALLOWED = "allowed";
    public static final String FLAGGED = "flagged";
    public static final String ERROR_DENIED = "error_denied";
    public static final String ERROR_ALLOWED = "error_allowed";

    private GuardrailDecisions() {
    }

    /** Every decision {@code settings} can lead to; empty without guardrails. */
    public static List<Decision> possible(GuardrailSettings settings) {
        List<Decision> out = new ArrayList<>();
        if (settings == null) {
            return out;
        }
        if (anyLimit(settings, GuardrailSettings.Limits::models)) {
            out.add(new Decision(MODELS, DENIED));
        }
        if (anyLimit(settings, GuardrailSettings.Limits::maxTokens)) {
            out.add(new Decision(MAX_TOKENS, DENIED));
            out.add(new Decision(MAX_TOKENS, CAPPED));
        }
        if (anyLimit(settings, GuardrailSettings.Limits::maxPromptTokens)) {
            out.add(new Decision(MAX_PROMPT_TOKENS, DENIED));
        }
        for (RegexRule r : settings.deny()) {
            out.add(new Decision(r.name(), DENIED));
        }
        for (RegexRule r : settings.redact()) {
            out.add(new Decision(r.name(), REDACTED));
        }
        GuardrailSettings.Moderation moderation = settings.moderation();
        if (moderation != null) {
            out.add(new Decision(MODERATION, ALLOWED));
            out.add(new Decision(MODERATION, FLAGGED));
            out.add(new Decision(MODERATION, moderation.failClosed() ? ERROR_DENIED : ERROR_ALLOWED));
        }
        return out;
    }

    private static boolean anyLimit(GuardrailSettings s, Function<GuardrailSettings.Limits, Object> field) {
        return field.apply(s.limits()) != null || s.tenants().values().stream().anyMatch(l -> field.apply(l) != null);
    }
}
