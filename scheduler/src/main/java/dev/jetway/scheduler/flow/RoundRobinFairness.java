package dev.jetway.scheduler.flow;

/**
 * {@code round-robin-fairness-policy}: the band's non-empty flows take turns, one request each, so tenants at equal
 * priority get equal shares of dispatches whatever their arrival rates. Also runs llm-d's
 * {@code program-aware-fairness} (see {@link #instead()}).
 *
 * @param type    {@value #TYPE}, or the llm-d type it stands in for
 * @param name    instance name
 * @param standIn why it stands in for {@code type}, or null when it is itself
 */
public record RoundRobinFairness(String type, String name, String standIn) implements FairnessPolicy, StandIn {

    public static final String TYPE = "round-robin-fairness-policy";
    /** llm-d's least-attained-service fairness across programs. */
    public static final String PROGRAM_AWARE_TYPE = "program-aware-fairness";
    /** llm-d's virtual-token-count fairness. */
    public static final String VTC_TYPE = "vtc-fairness-policy";

    public RoundRobinFairness(String name) {
        this(TYPE, name, null);
    }

    /** {@code program-aware-fairness}, run as a rotation. */
    public static RoundRobinFairness programAware(String name) {
        return new RoundRobinFairness(PROGRAM_AWARE_TYPE, name, "Jetway has no least-attained-service accounting "
                + "yet; flows take turns one request each, which shares dispatches (not tokens) equally");
    }

    /** {@code vtc-fairness-policy}, run as a rotation. */
    public static RoundRobinFairness vtc(String name) {
        return new RoundRobinFairness(VTC_TYPE, name, "Jetway does not count virtual tokens per flow yet; flows take "
                + "turns one request each, so a tenant of large prompts gets as many dispatches as one of small");
    }

    @Override
    public String instead() {
        return standIn == null ? null : "round-robin-fairness-policy";
    }

    @Override
    public String why() {
        return standIn;
    }
}
