package dev.jetway.scheduler.flow;

/**
 * {@code global-strict-fairness-policy} (llm-d's default): no fairness between flows; the band dispatches in one
 * order over all its requests, as if they were one queue ordered by the band's ordering policy.
 */
public record GlobalStrictFairness(String name) implements FairnessPolicy {

    public static final String TYPE = "global-strict-fairness-policy";

    @Override
    public String type() {
        return TYPE;
    }
}
