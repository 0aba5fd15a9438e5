package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Rejection;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Map;

/**
 * What {@link Scheduler#schedule} decided: per profile an ordered endpoint list, which profile is primary, and the
 * {@link DecisionRecord} of how. Pass it back to the scheduler's lifecycle hooks ({@link Scheduler#preRequest},
 * {@link Scheduler#onFirstToken}, {@link Scheduler#onComplete}) for the same request.
 */
public final class SchedulingResult {

    private final SchedulingContext context;
    private final Map<String, ProfileResult> profiles;
    private final String primaryProfile;
    private final DecisionRecord decision;
    private final Rejection rejection;
    final InFlightCharge charge = new InFlightCharge();
    /** The prefill leg's charge on its prefill endpoint (P/D only). */
    final InFlightCharge prefillCharge = new InFlightCharge();
    private final PdDecision pd;
    /** The split request is served whole on its decode endpoint after all (its prefill leg could not run). */
    volatile boolean fellBackToAggregated;
    /** The decision carries on a stream another endpoint started ({@link Scheduler#continuation}). */
    volatile boolean continuation;

    SchedulingResult(SchedulingContext context, Map<String, ProfileResult> profiles, String primaryProfile,
                     DecisionRecord decision) {
        this(context, profiles, primaryProfile, decision, null);
    }

    private SchedulingResult(SchedulingContext context, Map<String, ProfileResult> profiles, String primaryProfile,
                             DecisionRecord decision, Rejection rejection) {
        this.context = context;
        this.profiles = Map.copyOf(profiles);
        this.primaryProfile = primaryProfile;
        this.decision = decision;
        this.rejection = rejection;
        this.pd = context.get(PdDecision.KEY);
    }

    static SchedulingResult rejected(SchedulingContext context, DecisionRecord decision, Rejection rejection) {
        return new SchedulingResult(context, Map.of(), null, decision, rejection);
    }

    /** Why an admitter refused the request (answer with its status and dropped reason), or null. */
    public Rejection rejection() {
        return rejection;
    }

    public InferenceRequest request() {
        return context.request();
    }

    /** The cycle's context: the attributes producers computed (block keys, prompt tokens, prefix matches). */
    public SchedulingContext context() {
        return context;
    }

    /** Results by profile name. */
    public Map<String, ProfileResult> profiles() {
        return profiles;
    }

    /** Name of the profile whose pick serves the request (e.g. {@code default}, or {@code decode} with P/D). */
    public String primaryProfile() {
        return primaryProfile;
    }

    /**
     * What the P/D profile handler decided (split or not, why, the prefill endpoints); null when the pipeline does not
     * disaggregate.
     */
    public PdDecision pd() {
        return pd;
    }

    /**
     * Whether the primary endpoint receives the prompt's KV from a prefill endpoint instead of computing it: the
     * decision split the request and it was not served aggregated after all ({@link Scheduler#fallBackToAggregated}).
     */
    public boolean servedSplit() {
        return pd != null && pd.disaggregate() && !fellBackToAggregated;
    }

    /**
     * Whether this decision serves the rest of a stream another endpoint started and failed mid-response (the
     * gateway's request migration): its timing is not a normal request's, so nothing learns from it.
     */
    public boolean continuation() {
        return continuation;
    }

    /**
     * The primary profile's endpoints, best first; empty when no endpoint is eligible (answer 503), also when a P/D
     * split found no prefill endpoint and may not fall back to aggregated serving ({@link PdDecision#blocked()}).
     */
    public List<Endpoint> targets() {
        if (pd != null && pd.blocked()) {
            return List.of();
        }
        ProfileResult r = primaryProfile == null ? null : profiles.get(primaryProfile);
        return r == null ? List.of() : r.targets();
    }

    /** The endpoint that should serve the request, or null when none is eligible. */
    public Endpoint primaryEndpoint() {
        List<Endpoint> t = targets();
        return t.isEmpty() ? null : t.getFirst();
    }

    public boolean isEmpty() {
        return primaryEndpoint() == null;
    }

    public DecisionRecord decision() {
        return decision;
    }

    @Override
    public String toString() {
        return "SchedulingResult[" + request().requestId() + " -> " + primaryEndpoint() + "]";
    }
}
