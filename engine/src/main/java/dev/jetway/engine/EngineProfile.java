package dev.jetway.engine;

import java.util.Objects;

/**
 * A model on a piece of hardware: everything the engine model needs to size the KV cache and price a step.
 * The numbers of the built-in profiles, and where each comes from, are listed in docs/simulator.md.
 *
 * @param name              registry name, e.g. {@code qwen3-32b-h100-tp2}
 * @param model             the model's shape (drives FLOPs, weight bytes and KV bytes per token)
 * @param hardware          the replica's accelerators
 * @param cost              achieved efficiencies and fixed overheads of the cost model
 * @param kvCapacityTokens  KV cache of one replica in tokens (vLLM's {@code num_gpu_blocks × block_size})
 * @param maxModelLen       longest sequence (prompt + output) the replica accepts
 * @param calibration       where the numbers come from, in one sentence
 */
public record EngineProfile(String name, ModelShape model, Hardware hardware, CostCoefficients cost,
                            long kvCapacityTokens, int maxModelLen, String calibration) {

    public EngineProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(hardware, "hardware");
        Objects.requireNonNull(cost, "cost");
        if (kvCapacityTokens < 1) {
            throw new IllegalArgumentException("kvCapacityTokens must be positive: " + kvCapacityTokens);
        }
        if (maxModelLen < 2) {
            throw new IllegalArgumentException("maxModelLen must be >= 2: " + maxModelLen);
        }
    }

    /** KV-cache bytes one token occupies: K and V for every layer's KV heads. */
    public long kvBytesPerToken() {
        return model.kvBytesPerToken();
    }

    /** Tensor-parallel degree: the number of GPUs of one replica. */
    public int tensorParallel() {
        return hardware.gpus();
    }

    /**
     * A transformer's shape as far as step time and memory are concerned.
     *
     * @param huggingFaceName the model's name, e.g. {@code Qwen/Qwen3-32B}
     * @param parameters      parameters (all are read once per step and used for 2 FLOPs per token)
     * @param layers          transformer layers
     * @param queryHeads      attention query heads
     * @param kvHeads         KV heads (grouped-query attention)
     * @param headDim         dimension of one head
     * @param bytesPerValue   bytes per weight and per KV value (2 for bf16)
     */
    public record ModelShape(String huggingFaceName, double parameters, int layers, int queryHeads, int kvHeads,
                             int headDim, int bytesPerValue) {

        public ModelShape {
            if (parameters <= 0 || layers < 1 || queryHeads < 1 || kvHeads < 1 || headDim < 1 || bytesPerValue < 1) {
                throw new IllegalArgumentException("model shape values must be positive");
            }
        }

        /** {@code 2 (K and V) × layers × kvHeads × headDim × bytesPerValue}. */
        public long kvBytesPerToken() {
            return 2L * layers * kvHeads * headDim * bytesPerValue;
        }

        /** Dense FLOPs per token: a multiply and an add per parameter. */
        public double flopsPerToken() {
            return 2 * parameters;
        }

        /** Attention FLOPs per (query token, context token) pair: QK^T and AV, 2 FLOPs each, per query head. */
        public double attentionFlopsPerPair() {
            return 4.0 * layers * queryHeads * headDim;
        }

        /** Bytes of weights read once per step. */
        public double weightBytes() {
            return parameters * bytesPerValue;
        }
    }

    /**
     * The accelerators of one replica.
     *
     * @param description        e.g. {@code 2x H100 SXM 80GB}
     * @param gpus               GPUs per replica (tensor parallel)
     * @param peakFlopsPerGpu    dense bf16 peak FLOP/s of one GPU
     * @param hbmBytesPerSecond  HBM bandwidth of one GPU
     * @param linkBytesPerSecond bandwidth for KV transfer between replicas (P/D), whole replica
     */
    public record Hardware(String description, int gpus, double peakFlopsPerGpu, double hbmBytesPerSecond,
                           double linkBytesPerSecond) {

        public Hardware {
            if (gpus < 1 || peakFlopsPerGpu <= 0 || hbmBytesPerSecond <= 0 || linkBytesPerSecond <= 0) {
                throw new IllegalArgumentException("hardware values must be positive");
            }
        }
    }

    /**
     * How close to peak the replica runs, and what every step costs regardless of its size.
     *
     * @param computeEfficiency   achieved fraction of peak FLOP/s (MFU) on the batch's tokens
     * @param memoryEfficiency    achieved fraction of HBM bandwidth when reading weights and KV
     * @param stepOverheadNanos   fixed cost of a step (scheduling, launch, tensor-parallel all-reduce latency)
     * @param perSequenceNanos    CPU cost per scheduled sequence (input preparation, sampling, output processing)
     */
    public record CostCoefficients(double computeEfficiency, double memoryEfficiency, long stepOverheadNanos,
                                   long perSequenceNanos) {

        public CostCoefficients {
            if (computeEfficiency <= 0 || computeEfficiency > 1 || memoryEfficiency <= 0 || memoryEfficiency > 1) {
                throw new IllegalArgumentException("efficiencies must be in (0, 1]");
            }
            if (stepOverheadNanos < 0 || perSequenceNanos < 0) {
                throw new IllegalArgumentException("overheads must not be negative");
            }
        }
    }
}
