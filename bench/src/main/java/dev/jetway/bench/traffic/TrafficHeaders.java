package dev.jetway.bench.traffic;

/**
 * The request headers llm-d reads to identify a request for admission and flow control (the gateway's
 * {@code identify} stage reads the same names).
 */
public final class TrafficHeaders {

    /** The InferenceObjective the request belongs to; the gateway maps its name to a priority. */
    public static final String OBJECTIVE = "x-llm-d-inference-objective";
    /** The fairness flow within a priority band: a tenant. */
    public static final String FAIRNESS_ID = "x-llm-d-inference-fairness-id";
    /** The request's time-to-first-token objective, in milliseconds. */
    public static final String SLO_TTFT_MS = "x-llm-d-slo-ttft-ms";
    /** The request's time-per-output-token objective, in milliseconds. */
    public static final String SLO_TPOT_MS = "x-llm-d-slo-tpot-ms";
    /** Response header: why the gateway dropped a request (e.g. {@code rejected-saturated}). */
    public static final String DROPPED_REASON = "x-llm-d-request-dropped-reason";

    private TrafficHeaders() {
    }
}
