package dev.jetway.bench.sim;

/**
 * What a replica group does in a P/D pool, as the {@code llm-d.ai/role} label on its endpoints tells the scheduler's
 * {@code prefill-filter} and {@code decode-filter}.
 */
public enum ReplicaRole {
    /** An aggregated replica: prefill and decode (every replica of a pool that is not split). */
    BOTH("both"),
    /** Runs prefill legs only. */
    PREFILL("prefill"),
    /** Runs decode legs, and whole requests the decider does not split. */
    DECODE("decode");

    private final String label;

    ReplicaRole(String label) {
        this.label = label;
    }

    /** The value of the {@code llm-d.ai/role} label. */
    public String label() {
        return label;
    }
}
