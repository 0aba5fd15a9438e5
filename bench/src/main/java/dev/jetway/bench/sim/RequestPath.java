package dev.jetway.bench.sim;

/**
 * Time a request spends outside the engine before its prompt is queued there, as a client measures it. The engine
 * model prices only engine time; a measured deployment adds the client's connect and send, the gateway's body
 * buffering and picking, and the model server's own request handling (HTTP parsing, tokenization) before the engine
 * sees the request. Where that time sits matters: what happens before the routing decision only delays it, what
 * happens after it leaves the picker deciding on a replica state that does not yet show the request.
 *
 * @param beforeRoutingNanos from the client's send to the gateway's routing decision
 * @param afterRoutingNanos  from the routing decision to the request entering the engine's waiting queue
 */
public record RequestPath(long beforeRoutingNanos, long afterRoutingNanos) {

    /** No time outside the engine: latencies are engine latencies. */
    public static final RequestPath NONE = new RequestPath(0, 0);

    public RequestPath {
        if (beforeRoutingNanos < 0 || afterRoutingNanos < 0) {
            throw new IllegalArgumentException("request path times must be >= 0: " + beforeRoutingNanos + ", "
                    + afterRoutingNanos);
        }
    }

    public long totalNanos() {
        return beforeRoutingNanos + afterRoutingNanos;
    }
}
