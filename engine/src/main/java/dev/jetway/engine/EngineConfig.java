package dev.jetway.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How one engine replica is configured, in vLLM's terms.
 *
 * @param profile                model and hardware
 * @param blockSize              tokens per KV block ({@code --block-size}, default 16)
 * @param maxNumBatchedTokens    token budget of one step ({@code --max-num-batched-tokens}, default 8192)
 * @param maxNumSeqs             most requests running at once ({@code --max-num-seqs}, default 256)
 * @param maxModelLen            longest prompt + output accepted ({@code --max-model-len}); 0 = the profile's
 * @param seed                   seed of the model's choices (EOS points)
 * @param kvCapacityTokens       KV capacity override in tokens; 0 = the profile's
 * @param hashSeed               seed of the engine's block hashes (vLLM's {@code PYTHONHASHSEED}); deliberately
 *                               unrelated to Jetway's request keys
 * @param kvTransferWindow       how long a prefill-only run keeps its blocks for a decode engine to fetch
 * @param engineId               this engine's id in {@code kv_transfer_params.remote_engine_id}
 * @param host                   host a decode engine fetches KV from ({@code remote_host})
 * @param port                   port a decode engine fetches KV from ({@code remote_port})
 * @param schedulingPolicy       {@code --scheduling-policy}: first come first served (default) or by priority
 */
public record EngineConfig(EngineProfile profile, int blockSize, int maxNumBatchedTokens, int maxNumSeqs,
                           int maxModelLen, long seed, long kvCapacityTokens, long hashSeed,
                           Duration kvTransferWindow, String engineId, String host, int port,
                           SchedulingPolicy schedulingPolicy) {

    public static final int DEFAULT_BLOCK_SIZE = 16;
    public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 8192;
    public static final int DEFAULT_MAX_NUM_SEQS = 256;
    public static final Duration DEFAULT_KV_TRANSFER_WINDOW = Duration.ofSeconds(30);

    public EngineConfig {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(kvTransferWindow, "kvTransferWindow");
        Objects.requireNonNull(engineId, "engineId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(schedulingPolicy, "schedulingPolicy");
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be positive: " + blockSize);
        }
        if (maxNumBatchedTokens < 1) {
            throw new IllegalArgumentException("maxNumBatchedTokens must be positive: " + maxNumBatchedTokens);
        }
        if (maxNumSeqs < 1) {
            throw new IllegalArgumentException("maxNumSeqs must be positive: " + maxNumSeqs);
        }
        if (maxModelLen < 0 || kvCapacityTokens < 0) {
            throw new IllegalArgumentException("maxModelLen and kvCapacityTokens must not be negative");
        }
        if (kvTransferWindow.isNegative()) {
            throw new IllegalArgumentException("kvTransferWindow must not be negative");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        long capacity = kvCapacityTokens == 0 ? profile.kvCapacityTokens() : kvCapacityTokens;
        if (capacity / blockSize < 1) {
            throw new IllegalArgumentException("KV capacity " + capacity + " holds no block of " + blockSize);
        }
    }

    /** vLLM's defaults for {@code profile}. */
    public static EngineConfig defaults(EngineProfile profile) {
        return new EngineConfig(profile, DEFAULT_BLOCK_SIZE, DEFAULT_MAX_NUM_BATCHED_TOKENS, DEFAULT_MAX_NUM_SEQS,
                0, 0, 0, 0, DEFAULT_KV_TRANSFER_WINDOW, "jetway-engine", "127.0.0.1", 0, SchedulingPolicy.FCFS);
    }

    /** vLLM's defaults for the built-in profile called {@code profileName}. */
    public static EngineConfig defaults(String profileName) {
        return defaults(EngineProfiles.byName(profileName));
    }

    /** Blocks in the KV cache ({@code num_gpu_blocks}). */
    public int numGpuBlocks() {
        long capacity = kvCapacityTokens == 0 ? profile.kvCapacityTokens() : kvCapacityTokens;
        return Math.toIntExact(capacity / blockSize);
    }

    /** KV capacity in tokens: {@code numGpuBlocks × blockSize}. */
    public long kvCapacityInTokens() {
        return (long) numGpuBlocks() * blockSize;
    }

    /** The effective maximum sequence length. */
    public int effectiveMaxModelLen() {
        return maxModelLen == 0 ? profile.maxModelLen() : maxModelLen;
    }

    public EngineConfig withBlockSize(int value) {
        return new EngineConfig(profile, value, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed, kvCapacityTokens,
                hashSeed, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withMaxNumBatchedTokens(int value) {
        return new EngineConfig(profile, blockSize, value, maxNumSeqs, maxModelLen, seed, kvCapacityTokens, hashSeed,
                kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withMaxNumSeqs(int value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, value, maxModelLen, seed, kvCapacityTokens,
                hashSeed, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withMaxModelLen(int value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, value, seed, kvCapacityTokens,
                hashSeed, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withSeed(long value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, value,
                kvCapacityTokens, hashSeed, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withKvCapacityTokens(long value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed, value,
                hashSeed, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withHashSeed(long value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed,
                kvCapacityTokens, value, kvTransferWindow, engineId, host, port, schedulingPolicy);
    }

    public EngineConfig withKvTransferWindow(Duration value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed,
                kvCapacityTokens, hashSeed, value, engineId, host, port, schedulingPolicy);
    }

    /** Identity a decode engine uses to fetch this engine's KV: engine id, host and port. */
    public EngineConfig withTransferEndpoint(String newEngineId, String newHost, int newPort) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed,
                kvCapacityTokens, hashSeed, kvTransferWindow, newEngineId, newHost, newPort, schedulingPolicy);
    }

    public EngineConfig withSchedulingPolicy(SchedulingPolicy value) {
        return new EngineConfig(profile, blockSize, maxNumBatchedTokens, maxNumSeqs, maxModelLen, seed,
                kvCapacityTokens, hashSeed, kvTransferWindow, engineId, host, port, value);
    }
}
