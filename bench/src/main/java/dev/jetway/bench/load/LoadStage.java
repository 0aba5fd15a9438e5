package dev.jetway.bench.load;

/**
 * One stage of a load ladder: {@code rate} requests per second for {@code durationSeconds}.
 *
 * @param warmup a warm-up stage is run and reported on its own, but left out of the overall summary
 */
public record LoadStage(double rate, double durationSeconds, boolean warmup) {

    public LoadStage {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("stage rate must be > 0 requests/s: " + rate);
        }
        if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
            throw new IllegalArgumentException("stage duration must be > 0 s: " + durationSeconds);
        }
    }

    public LoadStage(double rate, double durationSeconds) {
        this(rate, durationSeconds, false);
    }
}
