package dev.jetway.bench.metrics;

/**
 * A service-level objective for goodput: a request is good when it succeeded, its TTFT is at most
 * {@code ttftSeconds} and its TPOT (time per output token after the first) at most {@code tpotSeconds}.
 * A bound of 0 or less is not checked.
 */
public record Slo(double ttftSeconds, double tpotSeconds) {

    public boolean met(double ttft, double tpot) {
        return (ttftSeconds <= 0 || ttft <= ttftSeconds) && (tpotSeconds <= 0 || tpot <= tpotSeconds);
    }
}
