package dev.jetway.sim;

import java.util.Locale;

/**
 * The P/D role a simulated replica plays ({@code jetway sim --role}), as llm-d labels pods ({@code llm-d.ai/role}).
 * Like vLLM with {@code kv_role: kv_both} any replica serves plain requests; a replica with a role refuses the other
 * role's leg of a split request with a 400 that says so, so that a router sending legs to the wrong pool fails loudly.
 */
public enum SimRole {
    BOTH, PREFILL, DECODE;

    /** The {@code llm-d.ai/role} label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code prefill}, {@code decode} or {@code both}. */
    public static SimRole parse(String text) {
        for (SimRole r : values()) {
            if (r.label().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be prefill, decode or both, got '" + text + "'");
    }
}
