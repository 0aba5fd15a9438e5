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

    private GuardrailDecisions() {
    }

    /** Every decision {@code settings} can lead to; empty without guardrails. */
    public static List<Decision> possible(GuardrailSettings settings) {
        List<Decision> out = new ArrayList<>();
        if (settings == null) {
            return out;
        }
        if (anyLimit(settings, GuardrailSettings.Limits::models)) {
            out.add(new Decision("models", "denied"));
        }
        if (anyLimit(settings, GuardrailSettings.Limits::maxTokens)) {
            out.add(new Decision("max-tokens", "denied"));
            out.add(new Decision("max-tokens", "capped"));
        }
        if (anyLimit(settings, GuardrailSettings.Limits::maxPromptTokens)) {
            out.add(new Decision("max-prompt-tokens", "denied"));
        }
        for (RegexRule r : settings.deny()) {
            out.add(new Decision(r.name(), "denied"));
        }
        for (RegexRule r : settings.redact()) {
            out.add(new Decision(r.name(), "redacted"));
        }
        GuardrailSettings.Moderation moderation = settings.moderation();
        if (moderation != null) {
            out.add(new Decision("moderation", "allowed"));
            out.add(new Decision("moderation", "flagged"));
            out.add(new Decision("moderation", moderation.failClosed() ? "error_denied" : "error_allowed"));
        }
        return out;
    }

    private static boolean anyLimit(GuardrailSettings s, Function<GuardrailSettings.Limits, Object> field) {
        return field.apply(s.limits()) != null || s.tenants().values().stream().anyMatch(l -> field.apply(l) != null);
    }
}
