package dev.jetway.engine.cost;

import dev.jetway.engine.EngineProfile;

/**
 * Prices one engine step with a roofline: a step is bound either by compute (the batch's tokens through the
 * weights, plus attention of each new token over its context) or by memory (reading the weights once, plus the
 * KV of every scheduled sequence's context), whichever is slower, plus fixed overheads.
 *
 * <pre>
 * T = t_step + n_seqs × t_seq + max(T_compute, T_memory)
 * T_compute = (N × 2P_active + A × 4·L_full·H·d + A_win × 4·L_win·H·d) / (G × peakFLOPs × MFU)
 * T_memory  = (W(N) + C × kvBytesPerToken + C_win × windowKvBytesPerToken) / (G × HBM × BWU)
 * </pre>
 * with N the tokens scheduled, A the attention (query, key) pairs ({@link #attentionPairs}), C the context tokens
 * of all scheduled sequences including the new ones; for sliding-window layers A_win and C_win stop at the window
 * ({@link #windowAttentionPairs}, {@link #windowContext}). W(N) is the weight bytes the step reads: all of them for a
 * dense model; for a mixture of experts the non-expert weights plus the experts its N tokens were routed to
 * ({@link EngineProfile.ModelShape.Moe#touchedFraction}). A dense model without sliding windows has no window or
 * expert term, and P_active = P. Coefficients per profile are in docs/simulator.md.
 */
public final class StepCostModel {

    private final double flopsPerToken;
    private final double flopsPerPair;
    private final double windowFlopsPerPair;
    private final double achievedFlopsPerSecond;
    /** Bytes read by every step: all weights of a dense model, the non-expert weights of an MoE. */
    private final double weightBytes;
    /** Null for a dense model. */
    private final EngineProfile.ModelShape.Moe moe;
    private final double expertWeightBytes;
    private final double kvBytesPerToken;
    private final double windowKvBytesPerToken;
    private final int windowTokens;
    private final double achievedBytesPerSecond;
    private final double linkBytesPerSecond;
    private final int gpus;
    private final long stepOverheadNanos;
    private final long perSequenceNanos;

    public StepCostModel(EngineProfile profile) {
        EngineProfile.ModelShape model = profile.model();
        EngineProfile.Hardware hw = profile.hardware();
        this.flopsPerToken = model.flopsPerToken();
        this.flopsPerPair = model.attentionFlopsPerPair();
        this.windowFlopsPerPair = model.windowAttentionFlopsPerPair();
        this.achievedFlopsPerSecond = hw.gpus() * hw.peakFlopsPerGpu() * profile.cost().computeEfficiency();
        this.moe = model.moe();
        this.weightBytes = moe == null ? model.weightBytes() : model.denseWeightBytes();
        this.expertWeightBytes = moe == null ? 0 : moe.expertWeightBytes();
        this.kvBytesPerToken = model.kvBytesPerToken();
        this.windowKvBytesPerToken = model.windowKvBytesPerToken();
        this.windowTokens = model.slidingWindow() == null ? 0 : model.slidingWindow().windowTokens();
        this.achievedBytesPerSecond = hw.gpus() * hw.hbmBytesPerSecond() * profile.cost().memoryEfficiency();
        this.linkBytesPerSecond = hw.linkBytesPerSecond();
        this.gpus = hw.gpus();
        this.stepOverheadNanos = profile.cost().stepOverheadNanos();
        this.perSequenceNanos = profile.cost().perSequenceNanos();
    }

    /**
     * Attention (query, key) pairs of {@code newTokens} tokens appended to a context of {@code cachedTokens}: each
     * new token attends to the cached context and to the new tokens up to itself (causal).
     */
    public static long attentionPairs(long cachedTokens, long newTokens) {
        return newTokens * cachedTokens + newTokens * (newTokens + 1) / 2;
    }

    /**
     * The same in a layer that attends to the last {@code window} tokens only: the new token at context position p
     * (counting itself) sees {@code min(p, window)} keys.
     */
    public static long windowAttentionPairs(long cachedTokens, long newTokens, long window) {
        long first = cachedTokens + 1;
        long last = cachedTokens + newTokens;
        if (last <= window) {
            return attentionPairs(cachedTokens, newTokens);
        }
        if (first > window) {
            return newTokens * window;
        }
        return (first + window) * (window - first + 1) / 2 + (last - window) * window;
    }

    /** Keys a sliding-window layer reads for {@code newTokens} new tokens after {@code cachedTokens}. */
    public static long windowContext(long cachedTokens, long newTokens, long window) {
        return Math.min(cachedTokens + newTokens, newTokens + window - 1);
    }

    /** The sliding window in tokens, 0 when every layer attends to the whole context. */
    public int windowTokens() {
        return windowTokens;
    }

    /**
     * Duration of a step of a model without sliding-window layers.
     *
     * @param sequences      sequences scheduled
     * @param tokens         tokens scheduled (prefill chunks plus one per decoding sequence)
     * @param attentionPairs sum of {@link #attentionPairs} over the scheduled sequences
     * @param contextTokens  sum over the scheduled sequences of cached + new tokens (the KV read by attention)
     */
    public long stepNanos(int sequences, long tokens, long attentionPairs, long contextTokens) {
        return stepNanos(sequences, tokens, attentionPairs, contextTokens, 0, 0);
    }

    /**
     * Duration of a step.
     *
     * @param windowPairs   sum of {@link #windowAttentionPairs} over the scheduled sequences (0 without windows)
     * @param windowContext sum of {@link #windowContext} over the scheduled sequences (0 without windows)
     */
    public long stepNanos(int sequences, long tokens, long attentionPairs, long contextTokens, long windowPairs,
                          long windowContext) {
        if (sequences == 0) {
            return stepOverheadNanos;
        }
        double bound = Math.max(computeSeconds(tokens, attentionPairs, windowPairs),
                memorySeconds(tokens, contextTokens, windowContext));
        return stepOverheadNanos + sequences * perSequenceNanos + Math.round(bound * 1e9);
    }

    /** Compute-bound time of a batch without sliding-window layers. */
    public double computeSeconds(long tokens, long attentionPairs) {
        return computeSeconds(tokens, attentionPairs, 0);
    }

    /** Compute-bound time of a batch. */
    public double computeSeconds(long tokens, long attentionPairs, long windowPairs) {
        return (tokens * flopsPerToken + attentionPairs * flopsPerPair + windowPairs * windowFlopsPerPair)
                / achievedFlopsPerSecond;
    }

    /** Memory-bound time of a batch of a dense model without sliding-window layers: weights once, plus every context. */
    public double memorySeconds(long contextTokens) {
        return memorySeconds(1, contextTokens, 0);
    }

    /** Memory-bound time of a batch of {@code tokens} tokens: the weights it reads, plus the KV of every context. */
    public double memorySeconds(long tokens, long contextTokens, long windowContext) {
        return (weightBytesRead(tokens) + contextTokens * kvBytesPerToken + windowContext * windowKvBytesPerToken)
                / achievedBytesPerSecond;
    }

    /** Weight bytes a step of {@code tokens} tokens reads (all of a dense model's). */
    public double weightBytesRead(long tokens) {
        return moe == null ? weightBytes : weightBytes + expertWeightBytes * moe.touchedFraction(tokens);
    }

    /** Time to pull {@code tokens} tokens of KV from a remote prefill engine of the same tensor parallelism (P/D). */
    public long transferNanos(long tokens) {
        return Math.round(tokens * kvBytesPerToken / linkBytesPerSecond * 1e9);
    }

    /**
     * Time to pull {@code tokens} tokens of KV from a remote prefill engine of tensor parallelism
     * {@code remoteTensorParallel} (NIXL's {@code tp_size}; below 1 = unknown, taken as this engine's). Each GPU has
     * its own NIC ({@link EngineProfile.Hardware#linkBytesPerSecond()} is the replica's sum), so the pull goes through
     * as many NICs as the side with fewer GPUs has: a TP-1 prefill feeds a TP-4 decode through one.
     */
    public long transferNanos(long tokens, int remoteTensorParallel) {
        if (remoteTensorParallel < 1 || remoteTensorParallel >= gpus) {
            return transferNanos(tokens);
        }
        double bytesPerSecond = linkBytesPerSecond * remoteTensorParallel / gpus;
        return Math.round(tokens * kvBytesPerToken / bytesPerSecond * 1e9);
    }

    /** The fixed cost of a step with nothing in it. */
    public long stepOverheadNanos() {
        return stepOverheadNanos;
    }
}
