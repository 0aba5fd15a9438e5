package dev.jetway.bench.metrics;

/** A point of the TTFT distribution: {@code percentile} (0..100) of requests had TTFT at most {@code ttftS}. */
public record CdfPoint(double percentile, double ttftS) {
}
