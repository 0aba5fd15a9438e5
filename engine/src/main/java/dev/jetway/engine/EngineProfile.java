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
     * A transformer's shape as far as step time and memory are concerned. A dense model reads every weight once per
     * step and spends 2 FLOPs per parameter per token; a mixture of experts ({@link Moe}) spends them on its active
     * parameters only, and reads only the experts the step's tokens were routed to. Layers with sliding-window
     * attention ({@link SlidingWindow}) attend to, and keep KV for, at most the window's last tokens.
     *
     * @param huggingFaceName the model's name, e.g. {@code Qwen/Qwen3-32B}
     * @param parameters      parameters (all are read once per step and used for 2 FLOPs per token unless the model is
     *                        a mixture of experts)
     * @param layers          transformer layers (all of them, full and sliding-window attention)
     * @param queryHeads      attention query heads
     * @param kvHeads         KV heads (grouped-query attention)
     * @param headDim         dimension of one head
     * @param bytesPerValue   bytes per weight and per KV value (2 for bf16); a mixture of experts' expert weights have
     *                        their own ({@link Moe#expertBytesPerParameter})
     * @param moe             the experts, or null for a dense model
     * @param slidingWindow   the sliding-window layers, or null when every layer attends to the whole context
     */
    public record ModelShape(String huggingFaceName, double parameters, int layers, int queryHeads, int kvHeads,
                             int headDim, int bytesPerValue, Moe moe, SlidingWindow slidingWindow) {

        public ModelShape {
            if (parameters <= 0 || layers < 1 || queryHeads < 1 || kvHeads < 1 || headDim < 1 || bytesPerValue < 1) {
                throw new IllegalArgumentException("model shape values must be positive");
            }
            if (moe != null && (moe.activeParameters() > parameters || moe.expertParameters() >= parameters)) {
                throw new IllegalArgumentException("a mixture of experts has fewer active and expert parameters than "
                        + "parameters in all");
            }
            if (slidingWindow != null && slidingWindow.layers() >= layers) {
                throw new IllegalArgumentException("sliding-window layers must leave at least one full-attention "
                        + "layer: " + slidingWindow.layers() + " of " + layers);
            }
        }

        /** A dense model whose every layer attends to the whole context. */
        public ModelShape(String huggingFaceName, double parameters, int layers, int queryHeads, int kvHeads,
                          int headDim, int bytesPerValue) {
            this(huggingFaceName, parameters, layers, queryHeads, kvHeads, headDim, bytesPerValue, null, null);
        }

        /** Layers that attend to the whole context and keep KV for every token. */
        public int fullAttentionLayers() {
            return slidingWindow == null ? layers : layers - slidingWindow.layers();
        }

        /**
         * {@code 2 (K and V) × full-attention layers × kvHeads × headDim × bytesPerValue}: what one more token of
         * context costs in KV memory and in a P/D transfer. Sliding-window layers keep at most their window per
         * sequence, a bounded amount not counted here.
         */
        public long kvBytesPerToken() {
            return 2L * fullAttentionLayers() * kvHeads * headDim * bytesPerValue;
        }

        /** KV bytes of one token in the sliding-window layers (0 without any): read while it is in the window. */
        public long windowKvBytesPerToken() {
            return slidingWindow == null ? 0 : 2L * slidingWindow.layers() * kvHeads * headDim * bytesPerValue;
        }

        /** FLOPs per token through the weights: a multiply and an add per parameter the token uses. */
        public double flopsPerToken() {
            return 2 * (moe == null ? parameters : moe.activeParameters());
        }

        /**
         * Attention FLOPs per (query token, context token) pair in the full-attention layers: QK^T and AV, 2 FLOPs
         * each, per query head.
         */
        public double attentionFlopsPerPair() {
            return 4.0 * fullAttentionLayers() * queryHeads * headDim;
        }

        /** The same per pair in the sliding-window layers (0 without any); their pairs stop at the window. */
        public double windowAttentionFlopsPerPair() {
            return slidingWindow == null ? 0 : 4.0 * slidingWindow.layers() * queryHeads * headDim;
        }

        /** Bytes of all weights (what a dense model reads once per step). */
        public double weightBytes() {
            return moe == null ? parameters * bytesPerValue : denseWeightBytes() + moe.expertWeightBytes();
        }

        /** Bytes of the weights every step reads whatever its tokens: all of a dense model's, an MoE's non-experts. */
        public double denseWeightBytes() {
            return moe == null ? parameters * bytesPerValue : (parameters - moe.expertParameters()) * bytesPerValue;
        }

        /**
         * The experts of a mixture-of-experts model.
         *
         * @param activeParameters        parameters one token uses (FLOPs): the non-expert weights that compute it
         *                                plus its routed experts
         * @param experts                 experts per MoE layer
         * @param expertsPerToken         experts each token is routed to in every MoE layer (top-k)
         * @param expertParameters        parameters of all experts of all layers
         * @param expertBytesPerParameter bytes per expert weight (0.53125 for MXFP4: 4 bits plus an 8-bit scale per
         *                                32 values)
         */
        public record Moe(double activeParameters, int experts, int expertsPerToken, double expertParameters,
                          double expertBytesPerParameter) {

            public Moe {
                if (activeParameters <= 0 || experts < 1 || expertsPerToken < 1 || expertsPerToken > experts
                        || expertParameters <= 0 || expertBytesPerParameter <= 0) {
                    throw new IllegalArgumentException("MoE values must be positive, with top-k <= experts");
                }
            }

            /** Bytes of all experts' weights. */
            public double expertWeightBytes() {
                return expertParameters * expertBytesPerParameter;
            }

            /**
             * Expected share of the experts a step reads: each of its {@code tokens} tokens picks
             * {@code expertsPerToken} of {@code experts} in every layer, so an expert is untouched with probability
             * {@code (1 - k/E)^tokens} (routing taken as uniform and independent; real routing is skewed, so this is
             * an upper bound on the bytes for a given batch).
             */
            public double touchedFraction(long tokens) {
                return 1 - Math.pow(1 - (double) expertsPerToken / experts, tokens);
            }
        }

        /**
         * Layers whose attention sees only the last {@code windowTokens} tokens.
         *
         * @param layers       how many of the model's layers
         * @param windowTokens the window, in tokens
         */
        public record SlidingWindow(int layers, int windowTokens) {

            public SlidingWindow {
                if (layers < 1 || windowTokens < 1) {
                    throw new IllegalArgumentException("sliding window values must be positive");
                }
            }
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
