package dev.jetway.engine.vllm;

import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineProfile;
import dev.jetway.engine.EngineProfile.CostCoefficients;
import dev.jetway.engine.EngineProfile.Hardware;
import dev.jetway.engine.EngineProfile.ModelShape;

/**
 * A profile with round numbers, so step times can be computed by hand: 1e9 FLOPs and 1e9 weight bytes per token
 * and step, 4000 attention FLOPs per (query, key) pair, 1000 KV bytes per token, 1 TFLOP/s, 100 GB/s HBM,
 * 1 GB/s link, 1 ms per step plus 0.1 ms per sequence.
 */
final class ToyProfile {

    static final EngineProfile PROFILE = new EngineProfile("toy",
            new ModelShape("toy/model", 5e8, 2, 4, 1, 125, 2),
            new Hardware("toy accelerator", 1, 1e12, 1e11, 1e9),
            new CostCoefficients(1.0, 1.0, 1_000_000, 100_000),
            1_000_000, 100_000, "hand-made for tests");

    private ToyProfile() {
    }

    /** The toy profile with {@code blocks} blocks of {@code blockSize} tokens. */
    static EngineConfig config(int blockSize, int blocks) {
        return EngineConfig.defaults(PROFILE).withBlockSize(blockSize).withKvCapacityTokens((long) blocks * blockSize);
    }
}
