package dev.jetway.gateway.guard;

import dev.jetway.gateway.config.GuardrailSettings;
import dev.jetway.gateway.config.RegexRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code guardrails} of jetway.yaml, ready to apply: the deny and redact rules compiled, every named tenant's limits
 * merged over the defaults, and the moderation client. Built once per configuration (a reload that changes the
 * guardrails builds a new one).
 */
public final class Guardrails {

    /** A compiled rule. */
    public record Rule(String name, Pattern pattern, String reason, String replacement) {
    }

    private final GuardrailSettings settings;
    private final List<Rule> deny;
    private final List<Rule> redact;
    private final Map<String, GuardrailSettings.Limits> tenantLimits = new HashMap<>();
    private final Moderation moderation;
    private final boolean readsText;

    public Guardrails(GuardrailSettings settings) {
        this.settings = settings;
        this.deny = compile(settings.deny());
        this.redact = compile(settings.redact());
        settings.tenants().keySet().forEach(t -> tenantLimits.put(t, settings.limitsFor(t)));
        this.moderation = settings.moderation() == null ? null : new Moderation(settings.moderation());
        this.readsText = settings.readsText();
    }

    private static List<Rule> compile(List<RegexRule> rules) {
        return rules.stream().map(r -> new Rule(r.name(), Pattern.compile(r.pattern()), r.reason(), r.replacement()))
                .toList();
    }

    public GuardrailSettings settings() {
        return settings;
    }

    public List<Rule> deny() {
        return deny;
    }

    public List<Rule> redact() {
        return redact;
    }

    /** The external check, or null. */
    public Moderation moderation() {
        return moderation;
    }

    /** Whether the rules read the prompt's text (the body must be read as a tree). */
    public boolean readsText() {
        return readsText;
    }

    public GuardrailSettings.Limits limitsFor(String tenant) {
        GuardrailSettings.Limits own = tenantLimits.get(tenant);
        return own != null ? own : settings.limits();
    }

    /** The first deny rule that matches {@code text}, or null. */
    public Rule denied(String text) {
        for (Rule rule : deny) {
            if (rule.pattern().matcher(text).find()) {
                return rule;
            }
        }
        return null;
    }
}
