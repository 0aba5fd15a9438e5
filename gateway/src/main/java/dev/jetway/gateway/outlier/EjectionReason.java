package dev.jetway.gateway.outlier;

/** Why an endpoint was ejected; the {@code reason} label of {@code jetway_endpoint_ejections_total}. */
public enum EjectionReason {
    /** {@code consecutive5xx} 5xx answers or gateway failures in a row. */
    CONSECUTIVE_5XX("consecutive_5xx"),
    /** {@code consecutiveGatewayFailure} 502/503/504 answers, connect errors, resets, timeouts or failed checks. */
    CONSECUTIVE_GATEWAY_FAILURE("consecutive_gateway_failure"),
    /** Streams {@code tpotOutlierFactor} times slower per token than the pool's other endpoints. */
    TPOT_OUTLIER("tpot_outlier");

    private final String label;

    EjectionReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
