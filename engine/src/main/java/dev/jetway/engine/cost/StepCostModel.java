package dev.jetway.engine.cost;

import dev.jetway.engine.EngineProfile;

/**
 * Prices one engine step with a roofline: a step is bound either by compute (the batch's tokens through the
 * weights, plus attention of each new token over its context) or by memory (reading the weights once, plus the
 * KV of every scheduled sequence's context), whichever is slower, plus fixed overheads.
 *
 * <pre>
 * T = t_step + n_seqs × t_seq + max(T_compute, T_memory)
 * T_compute = (N × 2P + A × 4·L·H·d) / (G × peakFLOPs × MFU)
 * T_memory  = (P × bytes + C × kvBytesPerToken) / (G × HBM × BWU)
 * </pre>
 * with N the tokens scheduled, A the attention (query, key) pairs ({@link #attentionPairs}), C the context tokens
 * of all scheduled sequences including the new ones. Coefficients per profile are in docs/simulator.md.
 */
public final class StepCostModel {

    private final double flopsPerToken;
    private final double flopsPerPair;
    private final double achievedFlopsPerSecond;
    private final double weightBytes;
    private final double kvBytesPerToken;
    private final double achievedBytesPerSecond;
    private final double linkBytesPerSecond;
    private final long stepOverheadNanos;
    private final long perSequenceNanos;

    public StepCostModel(EngineProfile profile) {
        EngineProfile.ModelShape model = profile.model();
        EngineProfile.Hardware hw = profile.hardware();
        this.flopsPerToken = model.flopsPerToken();
        this.flopsPerPair = model.attentionFlopsPerPair();
        this.achievedFlopsPerSecond = hw.gpus() * hw.peakFlopsPerGpu() * profile.cost().computeEfficiency();
        this.weightBytes = model.weightBytes();
        this.kvBytesPerToken = model.kvBytesPerToken();
        this.achievedBytesPerSecond = hw.gpus() * hw.hbmBytesPerSecond() * profile.cost().memoryEfficiency();
        this.linkBytesPerSecond = hw.linkBytesPerSecond();
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
     * Duration of a step.
     *
     * @param sequences      sequences scheduled
     * @param tokens         tokens scheduled (prefill chunks plus one per decoding sequence)
     * @param attentionPairs sum of {@link #attentionPairs} over the scheduled sequences
     * @param contextTokens  sum over the scheduled sequences of cached + new tokens (the KV read by attention)
     */
    public long stepNanos(int sequences, long tokens, long attentionPairs, long contextTokens) {
        if (sequences == 0) {
            return stepOverheadNanos;
        }
        double bound = Math.max(computeSeconds(tokens, attentionPairs), memorySeconds(contextTokens));
        return stepOverheadNanos + sequences * perSequenceNanos + Math.round(bound * 1e9);
    }

    /** Compute-bound time of a batch. */
    public double computeSeconds(long tokens, long attentionPairs) {
        return (tokens * flopsPerToken + attentionPairs * flopsPerPair) / achievedFlopsPerSecond;
    }

    /** Memory-bound time of a batch: weights once, plus the KV of every context. */
    public double memorySeconds(long contextTokens) {
        return (weightBytes + contextTokens * kvBytesPerToken) / achievedBytesPerSecond;
    }

    /** Time to pull {@code tokens} tokens of KV from a remote prefill engine (P/D). */
    public long transferNanos(long tokens) {
        return Math.round(tokens * kvBytesPerToken / linkBytesPerSecond * 1e9);
    }

    /** The fixed cost of a step with nothing in it. */
    public long stepOverheadNanos() {
        return stepOverheadNanos;
    }
}
