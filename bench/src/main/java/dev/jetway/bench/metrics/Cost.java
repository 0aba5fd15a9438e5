package dev.jetway.bench.metrics;

/** What the measured hardware costs: {@code gpus} GPUs at {@code gpuHourCost} (any currency) per GPU-hour. */
public record Cost(double gpuHourCost, int gpus) {

    public Cost {
        if (!(gpuHourCost > 0) || gpus < 1) {
            throw new IllegalArgumentException("need gpu-hour cost > 0 and at least one GPU");
        }
    }

    /** Cost of running the hardware for {@code seconds}. */
    public double of(double seconds) {
        return gpuHourCost * gpus * seconds / 3600.0;
    }
}
