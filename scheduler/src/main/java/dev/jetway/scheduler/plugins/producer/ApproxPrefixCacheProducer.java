package dev.jetway.scheduler.plugins.producer;

import dev.jetway.kvcache.index.approx.ApproximatePrefixIndex;
import dev.jetway.kvcache.key.BlockKeys;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.AttributeKey;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PromptTokens;
import dev.jetway.scheduler.spi.PromptTokensReader;
import dev.jetway.scheduler.spi.ResponseHook;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.sync.RoutedBlocks;
import dev.jetway.scheduler.sync.RoutingJournal;
import dev.jetway.scheduler.sync.SharedRouting;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code approx-prefix-cache-producer}: which endpoints probably cache the request's prefix, judged from where
 * earlier requests were routed (llm-d's token-based approximate prefix cache).
 *
 * <p>The prompt's tokens (from {@code token-producer}) are cut into blocks of {@code blockSizeTokens} (the trailing
 * partial block counts, as in llm-d), keyed with {@link BlockKeys} seeded by model (or LoRA) and cache salt, capped
 * at {@code maxPrefixTokensToMatch} (131072; or {@code maxPrefixBlocksToMatch} when only that is given; 0 = no cap).
 * Per endpoint, the match is the count of leading keys its LRU holds. At pre-request the keys are recorded for the
 * chosen endpoint and for the primary of a profile named {@code prefill}.
 *
 * <p>Capacity per endpoint: {@code lruCapacityPerServer} (31250 blocks), or with {@code autoTune} (default) the
 * endpoint's own KV size once its metrics report it: {@code num_gpu_blocks * block_size / blockSizeTokens}.
 * Endpoints not seen for 2 minutes are forgotten.
 *
 * <p>Active-active: the index is this gateway's routing history; with peers ({@link dev.jetway.scheduler.sync.PeerSync})
 * every record is also journaled for them, and theirs are recorded here as they arrive.
 */
public final class ApproxPrefixCacheProducer implements DataProducer, PreRequestHook, ResponseHook,
        PromptTokensReader, SharedRouting {

    public static final String TYPE = "approx-prefix-cache-producer";
    /** llm-d clamps block size to at least 64 tokens to bound memory (llm-d issue #1158). */
    public static final int MIN_BLOCK_SIZE_TOKENS = 64;
    static final long STALE_ENDPOINT_NANOS = TimeUnit.MINUTES.toNanos(2);

    public record Params(int blockSizeTokens, int maxBlocksToMatch, int lruCapacityPerServer, boolean autoTune) {
    }

    private final String name;
    private final Params params;
    private final ApproximatePrefixIndex index;
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
    private volatile RoutingJournal journal;
    private final AttributeKey<Recorded> recordedKey;

    public ApproxPrefixCacheProducer(String name, Params params) {
        this.name = name;
        this.params = params;
        this.index = new ApproximatePrefixIndex(params.lruCapacityPerServer());
        this.recordedKey = AttributeKey.of("approx-recorded:" + name, Recorded.class);
    }

    /**
     * The {@code prefixMatchInfoProducerName} parameter every prefix-match reader takes: the producer it reads,
     * by default this one (which the config loader then creates when the config has none).
     */
    public static String readFrom(PluginParameters p) {
        return p.string("prefixMatchInfoProducerName", TYPE);
    }

    public static ApproxPrefixCacheProducer create(String name, PluginParameters p) {
        int blockSize;
        if (p.has("blockSize") && !p.has("blockSizeTokens")) {
            // Deprecated character-based size (GIE): ~4 characters per token.
            blockSize = Math.max(1, p.integer("blockSize", 64, 1, 1 << 20) / 4);
        } else {
            p.integer("blockSize", 64, 1, 1 << 20);
            blockSize = p.integer("blockSizeTokens", 16, 1, 1 << 20);
        }
        blockSize = Math.max(MIN_BLOCK_SIZE_TOKENS, blockSize);
        long maxTokens = p.integer("maxPrefixTokensToMatch", 131_072L, 0, Integer.MAX_VALUE);
        long maxBlocks = p.integer("maxPrefixBlocksToMatch", 2048L, 0, Integer.MAX_VALUE);
        int cap;
        if (p.has("maxPrefixTokensToMatch") || !p.has("maxPrefixBlocksToMatch")) {
            cap = maxTokens > 0 ? (int) Math.max(1, maxTokens / blockSize) : (int) maxBlocks;
        } else {
            cap = (int) maxBlocks;
        }
        int lru = p.integer("lruCapacityPerServer", 31_250, 1, 1 << 28);
        return new ApproxPrefixCacheProducer(name, new Params(blockSize, cap, lru, p.bool("autoTune", true)));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    public Params params() {
        return params;
    }

    /** The index itself (sizes for metrics, tests). */
    public ApproximatePrefixIndex index() {
        return index;
    }

    @Override
    public String describeParameters() {
        return "blockSizeTokens=" + params.blockSizeTokens() + ", maxPrefixBlocksToMatch="
                + (params.maxBlocksToMatch() == 0 ? "unlimited" : params.maxBlocksToMatch())
                + ", lruCapacityPerServer=" + params.lruCapacityPerServer() + ", autoTune=" + params.autoTune()
                + " (~" + ApproximatePrefixIndex.BYTES_PER_ENTRY + " bytes per block per endpoint)";
    }

    @Override
    public int stage() {
        return STAGE_PREFIX;
    }

    @Override
    public void produce(SchedulingContext context) {
        InferenceRequest r = context.request();
        PromptTokens tokens = context.get(PromptTokens.KEY);
        long root = BlockKeys.root(r.cacheModel(), r.cacheSalt());
        long[] keys;
        if (tokens != null) {
            keys = tokens.blockKeys(params.blockSizeTokens(), root, true, params.maxBlocksToMatch());
        } else {
            int[] ids = r.tokenIds() != null ? r.tokenIds() : new int[0];
            keys = BlockKeys.of(ids, ids.length, params.blockSizeTokens(), root, true, params.maxBlocksToMatch());
        }
        List<Endpoint> endpoints = context.endpoints();
        int[] matched = new int[endpoints.size()];
        long now = context.nowNanos();
        for (int i = 0; i < matched.length; i++) {
            matched[i] = index.matchLength(endpoints.get(i).id(), keys, keys.length, now);
        }
        PrefixMatchInfo info = new PrefixMatchInfo(name, matched, keys.length, params.blockSizeTokens(), keys);
        context.put(PrefixMatchInfo.keyFor(name), info);
        if (context.get(PrefixMatchInfo.DEFAULT_KEY) == null) {
            context.put(PrefixMatchInfo.DEFAULT_KEY, info);
        }
        sweep(now);
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        PrefixMatchInfo info = context.get(PrefixMatchInfo.keyFor(name));
        if (info == null) {
            return;
        }
        Recorded previous = context.get(recordedKey);
        if (previous != null) {
            previous.forgetUnlessComputed(index); // retried here: the endpoint before it failed it
        }
        int slot = context.endpoints().indexOf(target);
        record(target, info, context.nowNanos());
        context.put(recordedKey, new Recorded(target.id(), info.requestKeys(), slot < 0 ? 0 : info.matched(slot)));
    }

    /** A prefill endpoint computes the prompt's KV and keeps it cached once it has been handed over. */
    @Override
    public void preRequestPrefill(SchedulingContext context, SchedulingResult result, Endpoint target) {
        PrefixMatchInfo info = context.get(PrefixMatchInfo.keyFor(name));
        if (info != null) {
            record(target, info, context.nowNanos());
        }
    }

    @Override
    public void onFirstToken(SchedulingContext context, SchedulingResult result, Endpoint served, long nowNanos) {
        Recorded r = context.get(recordedKey);
        if (r != null) {
            r.computed = true;
        }
    }

    @Override
    public void onComplete(SchedulingContext context, SchedulingResult result, Endpoint served, boolean success,
                           int outputTokens, long nowNanos) {
        Recorded r = context.get(recordedKey);
        if (r != null && !success) {
            r.forgetUnlessComputed(index);
        }
    }

    /**
     * What routing one request recorded on its endpoint: the blocks past what the index already believed there. If
     * the request fails before its first token (the engine rejected it, e.g. a prompt over the context length; it
     * timed out; it was retried elsewhere), the engine computed none of them, and believing them cached would send
     * the next request of that prefix to a miss (measured: docs/performance.md, "Latency routing").
     */
    private static final class Recorded {
        final String endpointId;
        final long[] keys;
        final int believedBefore;
        volatile boolean computed;
        private boolean forgotten;

        Recorded(String endpointId, long[] keys, int believedBefore) {
            this.endpointId = endpointId;
            this.keys = keys;
            this.believedBefore = believedBefore;
        }

        synchronized void forgetUnlessComputed(ApproximatePrefixIndex index) {
            if (!computed && !forgotten) {
                forgotten = true;
                index.forget(endpointId, keys, believedBefore, keys.length);
            }
        }
    }

    private void record(Endpoint e, PrefixMatchInfo info, long now) {
        index.record(e.id(), info.requestKeys(), info.requestKeys().length, capacityOf(e), now);
        RoutingJournal j = journal;
        if (j != null && info.requestKeys().length > 0) {
            j.add(new RoutedBlocks(name, e.id(), info.requestKeys()));
        }
    }

    @Override
    public void journal(RoutingJournal value) {
        this.journal = value;
    }

    @Override
    public void recordPeer(Endpoint endpoint, long[] keys, long nowNanos) {
        index.record(endpoint.id(), keys, keys.length, capacityOf(endpoint), nowNanos);
    }

    /** Blocks of {@code blockSizeTokens} the endpoint's KV cache holds, or 0 for the configured default. */
    int capacityOf(Endpoint e) {
        if (!params.autoTune()) {
            return 0;
        }
        EndpointMetrics m = e.metrics();
        if (m.cacheNumBlocks() <= 0 || m.cacheBlockSize() <= 0) {
            return 0;
        }
        long tokens = m.cacheNumBlocks() * m.cacheBlockSize();
        return Math.clamp(tokens / params.blockSizeTokens(), 1, 1 << 28);
    }

    private void sweep(long now) {
        long due = nextSweep.get();
        if (due == Long.MIN_VALUE) {
            nextSweep.compareAndSet(due, now + STALE_ENDPOINT_NANOS);
        } else if (now - due >= 0 && nextSweep.compareAndSet(due, now + STALE_ENDPOINT_NANOS)) {
            index.removeUnusedSince(now - STALE_ENDPOINT_NANOS);
        }
    }
}
