package dev.jetway.bench.load;

/** How send times are spaced within a stage (inference-perf's {@code load.type}). */
public enum ArrivalProcess {
    /** Exponential gaps at the stage's mean rate: independent users. */
    POISSON,
    /** Evenly spaced, one request every {@code 1/rate} seconds. */
    CONSTANT
}
