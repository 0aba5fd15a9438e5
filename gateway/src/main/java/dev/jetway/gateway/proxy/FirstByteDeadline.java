package dev.jetway.gateway.proxy;

import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.latency.LatencyPredictions;

/**
 * How long one attempt may wait for its first response byte: what the pool's latency model predicts for that
 * endpoint times {@code upstream.firstByteTimeoutMargin}, within [{@code minFirstByteTimeout},
 * {@code firstByteTimeout}]. A streamed response's first byte comes with its first token (TTFT); a non-streamed one
 * arrives whole, after TTFT and {@code max_tokens − 1} more tokens. Without a prediction (a policy with no
 * {@code predicted-latency-producer}, a non-streamed request without {@code max_tokens}, a split request's decode
 * leg) the deadline is {@code firstByteTimeout}.
 *
 * @param nanos     the deadline, from when the request was sent
 * @param predicted the predicted first-byte time it was derived from, seconds (NaN: none)
 */
record FirstByteDeadline(long nanos, double predicted) {

    static FirstByteDeadline of(UpstreamSettings settings, SchedulingResult result, Endpoint endpoint,
                                InferenceRequest request, boolean split) {
        long cap = settings.firstByteTimeout().toNanos();
        FirstByteDeadline flat = new FirstByteDeadline(cap, Double.NaN);
        if (settings.firstByteTimeoutMargin() == 0 || split) {
            return flat;
        }
        LatencyPredictions predictions = result.context().get(LatencyPredictions.DEFAULT_KEY);
        int slot = predictions == null ? -1 : result.context().endpoints().indexOf(endpoint);
        if (slot < 0) {
            return flat;
        }
        double seconds = predictions.ttft(slot);
        if (!request.stream()) {
            if (request.maxTokens() <= 0) {
                return flat;
            }
            seconds += (request.maxTokens() - 1) * predictions.tpot(slot);
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            return flat;
        }
        double nanos = seconds * settings.firstByteTimeoutMargin() * 1e9;
        long floor = settings.minFirstByteTimeout().toNanos();
        return new FirstByteDeadline(Math.min(cap, Math.max(floor, (long) Math.min(nanos, Long.MAX_VALUE))), seconds);
    }

    /** For the decision record: {@code first-byte deadline 5000 ms (predicted 12 ms)}. */
    String describe() {
        return "first-byte deadline " + nanos / 1_000_000 + " ms" + (Double.isNaN(predicted) ? ""
                : " (predicted " + Math.round(predicted * 1e3) + " ms)");
    }
}
