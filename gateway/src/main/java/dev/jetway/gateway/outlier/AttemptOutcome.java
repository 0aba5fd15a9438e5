package dev.jetway.gateway.outlier;

import dev.jetway.gateway.datalayer.GatewayEndpoint;

/**
 * What one attempt at one endpoint tells the pool's outlier detection, reported by whoever relays it (the gateway's
 * exchange, or the endpoint picker from what Envoy reports): a 5xx status, a failure to get an answer (connect
 * error, reset, timeout), or an answer, which counts once, at its first body byte (a streaming response's head
 * proves nothing: a hung engine sends it and then nothing); and, for a stream, its pace: the time per token from
 * its first content chunk to its {@value #PACE_CHUNKS}th, or to its end. Confined to the caller's thread.
 */
public final class AttemptOutcome {

    /** Content chunks after which a stream's pace is judged (so a crawling stream is judged before it ends). */
    static final int PACE_CHUNKS = 5;
    /** A shorter stream's pace is judged at its end from at least this many chunks. */
    static final int PACE_MIN_CHUNKS = 3;

    private final EndpointStanding standing;
    private final OutlierDetector detector;
    private boolean answered;
    private boolean paced;
    private long firstContentNanos = Long.MIN_VALUE;
    /** Content chunks seen by {@link #firstContentNanos} (several may arrive in one read). */
    private int chunksAtFirst;

    private AttemptOutcome(EndpointStanding standing) {
        this.standing = standing;
        this.detector = standing.detector;
    }

    /** An attempt at {@code endpoint}. */
    public static AttemptOutcome at(GatewayEndpoint endpoint) {
        return new AttemptOutcome(endpoint.standing());
    }

    /** The response head: a 5xx is a failure of the endpoint; anything else waits for the body. */
    public void head(int status) {
        if (detector != null && status >= 500 && !answered) {
            answered = true;
            detector.serverError(standing, status);
        }
    }

    /** The first body byte (or the end of a response without one): the endpoint answered. */
    public void answered() {
        if (detector != null && !answered) {
            answered = true;
            detector.succeeded(standing);
        }
    }

    /** No answer, or the answer broke off: {@code what} happened (connect error, reset, timeout). */
    public void failed(String what) {
        if (detector != null) {
            answered = true;
            detector.gatewayFailure(standing, what);
        }
    }

    /** Body bytes of this attempt arrived at {@code nowNanos}: the endpoint is answering (see {@link #endpointAnsweredSince}). */
    public void bodyBytes(long nowNanos) {
        standing.bodyBytes(nowNanos);
    }

    /** Whether the endpoint sent response body bytes to any request after {@code sinceNanos}. */
    public boolean endpointAnsweredSince(long sinceNanos) {
        return standing.answeredAnyoneSince(sinceNanos);
    }

    /** A streamed response has carried {@code contentChunks} content chunks so far, the last at {@code nowNanos}. */
    public void content(int contentChunks, long nowNanos) {
        if (detector == null || paced || contentChunks < 1) {
            return;
        }
        if (firstContentNanos == Long.MIN_VALUE) {
            firstContentNanos = nowNanos;
            chunksAtFirst = contentChunks;
        } else if (contentChunks - chunksAtFirst >= PACE_CHUNKS - 1) {
            pace(contentChunks, nowNanos);
        }
    }

    /** The stream ended (or stopped) at {@code nowNanos} after {@code contentChunks} content chunks. */
    public void streamEnded(int contentChunks, long nowNanos) {
        if (detector != null && !paced && firstContentNanos != Long.MIN_VALUE
                && contentChunks - chunksAtFirst >= PACE_MIN_CHUNKS - 1) {
            pace(contentChunks, nowNanos);
        }
    }

    private void pace(int contentChunks, long nowNanos) {
        paced = true;
        detector.pace(standing, (nowNanos - firstContentNanos) / 1e9 / (contentChunks - chunksAtFirst));
    }
}
