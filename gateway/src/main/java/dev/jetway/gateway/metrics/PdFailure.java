package dev.jetway.gateway.metrics;

/** Why a split request's prefill leg did not hand a KV cache to the decode leg; the {@code cause} label. */
public enum PdFailure {
    /** The decider split the request and no prefill endpoint was eligible. */
    NO_PREFILL_ENDPOINT("no_prefill_endpoint"),
    CONNECT("connect"),
    STATUS_5XX("status_5xx"),
    /** The prefill endpoint refused the request itself (4xx): answered to the client as it is. */
    STATUS_4XX("status_4xx"),
    TIMEOUT("timeout"),
    RESET("reset"),
    /** The prefill answer had no usable {@code kv_transfer_params} (not JSON, missing, not an object). */
    BAD_KV_TRANSFER_PARAMS("bad_kv_transfer_params"),
    TOO_LARGE("response_too_large"),
    /** The client went away while the prefill leg ran; it was aborted. */
    CLIENT_CANCELLED("client_cancelled");

    private final String label;

    PdFailure(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
