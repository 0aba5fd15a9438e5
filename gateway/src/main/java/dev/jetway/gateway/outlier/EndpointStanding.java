package dev.jetway.gateway.outlier;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import java.util.Arrays;

/**
 * One endpoint's standing in its pool, beyond its scrapes: whether it is admitted (it has passed a health check, or
 * it is one of a starting pool's endpoints, trusted until its first check fails; an endpoint added to a pool that
 * already serves waits for its first passed check), whether it is ejected, until when and why, how many times in a
 * row it was (the ejection multiplier), and the recent outcomes its ejection is decided on: failures in a row, and the pace of its recent
 * streams. Kept by its pool's {@link OutlierDetector} per address, so it survives a reload that rebuilds the endpoint.
 *
 * <p>Request threads read {@link #routable()} (volatile, no lock); every change happens under the detector's lock.
 */
public final class EndpointStanding {

    /** Streams' time per output token remembered per endpoint for the {@code tpotOutlierFactor} rule. */
    static final int PACE_SAMPLES = 8;

    /** The standing of an endpoint no detector manages (always routable; outcomes go nowhere). */
    public static EndpointStanding unmanaged(String address) {
        return new EndpointStanding(null, address, true);
    }

    final OutlierDetector detector;
    final String address;
    volatile GatewayEndpoint endpoint;
    /** May take traffic (when not ejected). */
    volatile boolean admitted;
    /** A health check has passed. */
    volatile boolean checked;
    volatile boolean ejected;
    volatile long ejectedUntilNanos;
    volatile EjectionReason reason;
    volatile boolean removed;
    /** Its check loop, woken when it is ejected. */
    volatile HealthCheckLoop loop;
    /** Times ejected, less one per {@code interval} spent in rotation since {@link #multiplierSinceNanos}. */
    int timesEjected;
    long multiplierSinceNanos;
    volatile int consecutive5xx;
    volatile int consecutiveGatewayFailures;
    volatile long lastOutcomeNanos = Long.MIN_VALUE;
    /** When a response body byte last came from it, to any request (at most ~1 ms stale: see {@link #bodyBytes}). */
    private volatile long lastBodyByteNanos = Long.MIN_VALUE;
    volatile long lastCheckNanos = Long.MIN_VALUE;
    volatile boolean lastCheckPassed;
    volatile String lastCheckError;
    final double[] paceSeconds = new double[PACE_SAMPLES];
    final long[] paceNanos = new long[PACE_SAMPLES];
    int paceNext;
    int paceCount;

    EndpointStanding(OutlierDetector detector, String address, boolean admitted) {
        this.detector = detector;
        this.address = address;
        this.admitted = admitted;
    }

    public String address() {
        return address;
    }

    /**
     * Response body bytes came from this endpoint at {@code nowNanos}. Stamped at most once a millisecond, so the
     * many request threads streaming from one endpoint do not all write the same field for every chunk.
     */
    public void bodyBytes(long nowNanos) {
        long last = lastBodyByteNanos;
        if (last == Long.MIN_VALUE || nowNanos - last > 1_000_000) {
            lastBodyByteNanos = nowNanos;
        }
    }

    /**
     * Whether any request got response body bytes from this endpoint after {@code sinceNanos}: a busy model server
     * streams to its running requests while the ones queued behind them wait; a hung one answers nobody.
     */
    public boolean answeredAnyoneSince(long sinceNanos) {
        long last = lastBodyByteNanos;
        return last != Long.MIN_VALUE && last - sinceNanos > 0;
    }

    /** True when the scheduler may pick it: admitted (a check passed, or trusted as a starting pool's) and not ejected. */
    public boolean routable() {
        return admitted && !ejected;
    }

    /** True when it may take traffic once not ejected: a check passed, checks are off, or its pool is starting. */
    public boolean admitted() {
        return admitted;
    }

    /** True once a health check has passed. */
    public boolean checked() {
        return checked;
    }

    public boolean ejected() {
        return ejected;
    }

    /** Why it is ejected, or null. */
    public EjectionReason reason() {
        return ejected ? reason : null;
    }

    /** The pool detector that keeps it, or null when unmanaged. */
    OutlierDetector detector() {
        return detector;
    }

    /** The pace samples newer than {@code since}, sorted. */
    double[] recentPace(long since) {
        double[] out = new double[paceCount];
        int n = 0;
        for (int i = 0; i < paceCount; i++) {
            if (paceNanos[i] >= since) {
                out[n++] = paceSeconds[i];
            }
        }
        double[] recent = Arrays.copyOf(out, n);
        Arrays.sort(recent);
        return recent;
    }

    void addPace(double seconds, long nowNanos) {
        paceSeconds[paceNext] = seconds;
        paceNanos[paceNext] = nowNanos;
        paceNext = (paceNext + 1) % PACE_SAMPLES;
        paceCount = Math.min(PACE_SAMPLES, paceCount + 1);
    }

    void clearPace() {
        paceCount = 0;
        paceNext = 0;
    }

    @Override
    public String toString() {
        return address;
    }
}
