package dev.jetway.gateway.trace;

/** Which request a model server gets from the gateway: its span's {@code jetway.leg} attribute. */
public enum Leg {
    /** The request itself, to one endpoint (no P/D split). */
    MAIN("main"),
    /** A split request's prefill leg: one token, to a prefill endpoint. */
    PREFILL("prefill"),
    /** A split request's decode leg, with the KV handle of its prefill (or, in sidecar mode, to the sidecar). */
    DECODE("decode");

    private final String label;

    Leg(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
