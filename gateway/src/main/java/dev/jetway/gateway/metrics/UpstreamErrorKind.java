package dev.jetway.gateway.metrics;

/** Why talking to a model server failed; the {@code kind} label of {@code jetway_upstream_errors_total}. */
public enum UpstreamErrorKind {
    CONNECT("connect"),
    POOL_EXHAUSTED("pool_exhausted"),
    STATUS_5XX("status_5xx"),
    FIRST_BYTE_TIMEOUT("first_byte_timeout"),
    IDLE_TIMEOUT("idle_timeout"),
    RESET_BEFORE_RESPONSE("reset_before_response"),
    RESET_MID_RESPONSE("reset_mid_response");

    private final String label;

    UpstreamErrorKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
