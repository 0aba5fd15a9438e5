package dev.jetway.bench.sim;

import dev.jetway.bench.load.LoadProfile;
import java.util.Objects;

/**
 * What happens to a request between the benchmark client and the engine, as the live benchmark and the harnesses it
 * stands in for do it: the path outside the engine, the client's timeout and its cap on requests in flight.
 *
 * @param path           time outside the engine before the request is queued there ({@link RequestPath#NONE}:
 *                       latencies are engine latencies)
 * @param timeoutNanos   a request not finished this long after it was sent fails as {@code timeout}, and the engine
 *                       aborts it (vLLM aborts a request whose client disconnected)
 * @param maxConcurrency 0 = no cap; otherwise a request due while this many are in flight waits for one to end, in
 *                       order, and its latencies still count from its planned send time (as in {@code jetway bench}:
 *                       no coordinated omission)
 */
public record ClientSide(RequestPath path, long timeoutNanos, int maxConcurrency) {

    /** No path, the default timeout, no cap. */
    public static final ClientSide DEFAULT = new ClientSide(RequestPath.NONE,
            Math.round(LoadProfile.DEFAULT_TIMEOUT_SECONDS * 1e9), 0);

    public ClientSide {
        Objects.requireNonNull(path, "path");
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("request timeout must be > 0: " + timeoutNanos + " ns");
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("max concurrency must be >= 0: " + maxConcurrency);
        }
    }

    public ClientSide withPath(RequestPath value) {
        return new ClientSide(value, timeoutNanos, maxConcurrency);
    }

    public ClientSide withTimeout(long nanos) {
        return new ClientSide(path, nanos, maxConcurrency);
    }

    public ClientSide withMaxConcurrency(int cap) {
        return new ClientSide(path, timeoutNanos, cap);
    }
}
