package dev.jetway.scheduler.plugins.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.index.precise.PrefixMatches;
import dev.jetway.kvcache.index.precise.TierWeights;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.AttributeKey;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PromptTokens;
import dev.jetway.scheduler.spi.PromptTokensReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code precise-prefix-cache-producer}: which endpoints really hold the request's prefix, from the KV events the
 * model servers publish (llm-d's precise prefix cache). The prompt's tokens (from {@code token-producer}; they must
 * be the engine's) are cut into full blocks of {@code tokenProcessorConfig.blockSize} (must equal vLLM's
 * {@code --block-size}), keyed, and looked up in the pool's {@link PrecisePrefixIndex}: per endpoint, the longest run
 * of consecutive blocks from block 0 it holds. At pre-request the chosen endpoint gets speculative entries
 * ({@code speculativeIndexing}, TTL {@code speculativeTTL} 2 s; also for the primary of a profile named
 * {@code prefill}) so that siblings sent before the engine's
 * {@code BlockStored} arrives find the prefix there; the keys are also registered for the hash-parity check.
 *
 * <p>The index comes from the host, which feeds it: either ready-made in the environment
 * ({@link SchedulerEnvironment#preciseIndex()}, the what-if simulator; its block size rules) or built from this
 * producer's settings by the host's per-pool provider ({@link dev.jetway.scheduler.SchedulerServices#preciseIndexes()},
 * the gateway, which keeps it across config reloads). Without either the config fails clearly. Endpoints are
 * matched by {@link Endpoint#id()}, the name the host registered in the index.
 *
 * <p>Needs the engine's token ids: the caller's, else a {@code token-producer} with a real backend, else the
 * environment's tokenizer; estimated pseudo-tokens give no keys, so no affinity (never a wrong one).
 *
 * <p>Parameters as llm-d's: {@code tokenProcessorConfig{blockSize (16; or blockSizeTokens), hashSeed}},
 * {@code indexerConfig{kvBlockIndexConfig{inMemoryConfig{size, podCacheSize}, costAwareMemoryConfig{size},
 * enableMetrics, metricsLoggingInterval}, tokenizersPoolConfig}}, {@code speculativeIndexing} (true),
 * {@code speculativeTTL} (2s), {@code kvEventsConfig{topicFilter (kv@), concurrency (4), discoverPods (false),
 * podDiscoveryConfig{socketPort (5557), podLabelSelector, podNamespace}, zmqEndpoint, engineType}},
 * {@code kvCacheBackendConfigs [{name: gpu|cpu|storage, weight}]}; Jetway's own {@code parityTimeout} (10s). Accepted but not acted on: {@code hashSeed}
 * (Jetway's request keys are its own, see docs/precise-routing.md), {@code podCacheSize}, the metrics switches
 * (Jetway always exports), {@code tokenizersPoolConfig} (tokenization is the token-producer's), {@code concurrency}.
 * Rejected with a clear error: {@code redisConfig} (the index is in-process), {@code engineType} other than vllm.
 */
public final class PrecisePrefixCacheProducer implements DataProducer, PreRequestHook, PromptTokensReader {

    public static final String TYPE = "precise-prefix-cache-producer";
    /** llm-d's default block size when {@code tokenProcessorConfig.blockSize} is absent. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    /** Tier-weighted match score per candidate slot (llm-d's LongestPrefixScorer), for the deprecated scorer. */
    public record WeightedMatches(double[] scores, int totalBlocks) {
        public static AttributeKey<WeightedMatches> keyFor(String producerName) {
            return AttributeKey.of("precise-weighted:" + producerName, WeightedMatches.class);
        }
    }

    private final String name;
    private final PreciseIndexConfig indexConfig;
    private final boolean speculativeIndexing;
    private final KvEventsSettings kvEvents;
    private final PrecisePrefixIndex index;
    private final LongAdder lookups = new LongAdder();
    private final LongAdder lookupHits = new LongAdder();

    public PrecisePrefixCacheProducer(String name, PreciseIndexConfig indexConfig, boolean speculativeIndexing,
                                      KvEventsSettings kvEvents, PrecisePrefixIndex index) {
        this.name = name;
        this.indexConfig = indexConfig;
        this.speculativeIndexing = speculativeIndexing;
        this.kvEvents = kvEvents;
        this.index = index;
    }

    public static PrecisePrefixCacheProducer create(String name, PluginParameters p, SchedulerEnvironment env) {
        PluginParameters token = nested(p, "tokenProcessorConfig");
        // llm-d-kv-cache renamed blockSize to blockSizeTokens (2026); either is read, the new one wins
        boolean blockSizeGiven = token.has("blockSizeTokens") || token.has("blockSize");
        int blockSize = token.integer("blockSize", DEFAULT_BLOCK_SIZE, 1, 1 << 16);
        blockSize = token.integer("blockSizeTokens", blockSize, 1, 1 << 16);
        token.accept("hashSeed", "hashAlgorithm");
        token.finish();

        PluginParameters indexer = nested(p, "indexerConfig");
        PluginParameters blockIndex = nested(indexer, "kvBlockIndexConfig");
        blockIndex.accept("enableMetrics", "metricsLoggingInterval");
        if (blockIndex.has("redisConfig") || blockIndex.has("valkeyConfig")) {
            throw blockIndex.error(blockIndex.has("redisConfig") ? "redisConfig" : "valkeyConfig",
                    "selects a shared external index; Jetway's precise index is in-process (use inMemoryConfig, or "
                            + "leave kvBlockIndexConfig empty)");
        }
        long maxEntries = PreciseIndexConfig.DEFAULT_MAX_ENTRIES;
        PluginParameters inMemory = nested(blockIndex, "inMemoryConfig");
        maxEntries = inMemory.integer("size", maxEntries, 1, Long.MAX_VALUE);
        inMemory.accept("podCacheSize");
        inMemory.finish();
        PluginParameters costAware = nested(blockIndex, "costAwareMemoryConfig");
        costAware.accept("size");
        costAware.finish();
        blockIndex.finish();
        indexer.accept("tokenizersPoolConfig", "prefixStoreConfig");
        JsonNode backends = indexer.raw("kvCacheBackendConfigs");
        indexer.finish();

        boolean speculative = p.bool("speculativeIndexing", true);
        Duration ttl = p.duration("speculativeTTL", PreciseIndexConfig.DEFAULT_SPECULATIVE_TTL);
        // Jetway's own: how long an engine may take to report a routed request's new blocks before the hash-parity
        // check counts a disagreement.
        Duration parityTimeout = p.duration("parityTimeout", PreciseIndexConfig.DEFAULT_PARITY_TIMEOUT);

        PluginParameters events = nested(p, "kvEventsConfig");
        String topicFilter = events.string("topicFilter", KvEventsSettings.DEFAULTS.topicFilter());
        int concurrency = events.integer("concurrency", KvEventsSettings.DEFAULTS.concurrency(), 1, 1024);
        boolean discover = events.bool("discoverPods", false);
        PluginParameters discovery = nested(events, "podDiscoveryConfig");
        int socketPort = discovery.integer("socketPort", KvEventsSettings.DEFAULTS.socketPort(), 1, 65535);
        discovery.accept("podLabelSelector", "podNamespace");
        discovery.finish();
        events.oneOf("engineType", "vllm", List.of("vllm"));
        events.accept("zmqEndpoint");
        events.finish();

        if (p.has("kvCacheBackendConfigs")) {
            backends = p.raw("kvCacheBackendConfigs");
        }
        TierWeights weights = tierWeights(p, backends);

        PreciseIndexConfig config = PreciseIndexConfig.defaults(blockSize).withSpeculativeTtl(ttl)
                .withTierWeights(weights).withMaxEntries((int) Math.min(maxEntries, 1 << 29))
                .withParity(parityTimeout, PreciseIndexConfig.DEFAULT_PARITY_WINDOW);
        PrecisePrefixIndex index;
        if (env.preciseIndex() != null) {
            // the host built the index for its engines (the what-if simulator): its block size rules
            index = env.preciseIndex();
            if (blockSizeGiven && blockSize != index.config().blockSize()) {
                throw p.error("tokenProcessorConfig", "blockSize " + blockSize + " differs from the index's "
                        + index.config().blockSize() + " (it must match the engine's --block-size)");
            }
        } else if (env.services().preciseIndexes() != null) {
            var provider = env.services().preciseIndexes(); // the gateway: one index per pool, fed by ZMQ
            if (!blockSizeGiven && provider.defaultBlockSize() > 0) {
                config = new PreciseIndexConfig(provider.defaultBlockSize(), config.speculativeTtl(),
                        config.parityTimeout(), config.parityWindow(), config.maxEntries(), config.tierWeights(),
                        config.initialCapacity());
            }
            index = provider.index(config);
        } else {
            throw new IllegalArgumentException("needs the precise prefix index (fed by KV events), which this "
                    + "scheduler was not given: the gateway provides it per pool, the simulator passes it with "
                    + "SchedulerEnvironment.withPreciseIndex");
        }
        return new PrecisePrefixCacheProducer(name, index.config(), speculative,
                new KvEventsSettings(topicFilter, concurrency, discover, socketPort), index);
    }

    private static PluginParameters nested(PluginParameters parent, String field) {
        JsonNode node = parent.raw(field);
        return new PluginParameters(parent.pluginName(), parent.pluginType() + " " + field, node);
    }


    private static TierWeights tierWeights(PluginParameters p, JsonNode backends) {
        TierWeights w = TierWeights.DEFAULT;
        if (backends == null || backends.isNull()) {
            return w;
        }
        if (!backends.isArray()) {
            throw p.error("kvCacheBackendConfigs", "must be a list of {name, weight}");
        }
        double gpu = w.gpu();
        double cpu = w.cpu();
        double storage = w.storage();
        for (JsonNode b : backends) {
            String tier = b.path("name").asText("");
            JsonNode weight = b.get("weight");
            if (weight == null || !weight.isNumber() || weight.asDouble() < 0) {
                throw p.error("kvCacheBackendConfigs", "entry '" + tier + "' needs a non-negative number weight");
            }
            switch (tier.toLowerCase(java.util.Locale.ROOT)) {
                case "gpu" -> gpu = weight.asDouble();
                case "cpu" -> cpu = weight.asDouble();
                case "storage", "disk" -> storage = weight.asDouble();
                default -> throw p.error("kvCacheBackendConfigs", "name must be gpu, cpu or storage, got '"
                        + tier + "'");
            }
        }
        return new TierWeights(gpu, cpu, storage);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    /** The index this producer reads (the host feeds it KV events). */
    public PrecisePrefixIndex index() {
        return index;
    }

    public PreciseIndexConfig indexConfig() {
        return indexConfig;
    }

    public boolean speculativeIndexing() {
        return speculativeIndexing;
    }

    /** How the host should subscribe to KV events. */
    public KvEventsSettings kvEvents() {
        return kvEvents;
    }

    /** Lookups made (one per scheduled request). */
    public long lookups() {
        return lookups.sum();
    }

    /** Lookups where at least one endpoint held the request's first block. */
    public long lookupHits() {
        return lookupHits.sum();
    }

    @Override
    public String describeParameters() {
        TierWeights w = indexConfig.tierWeights();
        return "blockSize=" + indexConfig.blockSize() + ", speculativeIndexing=" + speculativeIndexing
                + ", speculativeTTL=" + indexConfig.speculativeTtl().toMillis() + "ms, tierWeights=gpu:" + w.gpu()
                + "/cpu:" + w.cpu() + "/storage:" + w.storage() + ", maxEntries=" + indexConfig.maxEntries()
                + ", topicFilter=" + kvEvents.topicFilter() + (kvEvents.discoverPods()
                ? ", discoverPods on port " + kvEvents.socketPort() : "");
    }

    @Override
    public int stage() {
        return STAGE_PREFIX;
    }

    @Override
    public void produce(SchedulingContext context) {
        InferenceRequest r = context.request();
        PromptTokens tokens = context.get(PromptTokens.KEY);
        int[] ids = r.tokenIds();
        if (ids == null && tokens != null && !tokens.estimated()) {
            ids = tokens.ids();
        }
        if (ids == null && context.environment().tokenizer() != null) {
            ids = context.environment().tokenizer().encode(r.promptText());
        }
        List<Endpoint> endpoints = context.endpoints();
        int[] matched = new int[endpoints.size()];
        double[] weighted = new double[endpoints.size()];
        // estimated pseudo-tokens cannot match what engines report: no keys, no affinity (never a wrong one)
        long[] keys = ids == null ? new long[0] : index.requestKeys(r.targetModel(), r.loraAdapter(), r.cacheSalt(),
                ids);
        if (keys.length > 0) {
            PrefixMatches matches = index.match(keys);
            lookups.increment();
            if (matches.size() > 0) {
                lookupHits.increment();
                // one pass over each list: with every endpoint matching, a nested scan would be quadratic
                Map<String, Integer> rankOf = HashMap.newHashMap(matches.size());
                for (int rank = 0; rank < matches.size(); rank++) {
                    rankOf.put(matches.endpointAt(rank), rank);
                }
                for (int slot = 0; slot < matched.length; slot++) {
                    Integer rank = rankOf.get(endpoints.get(slot).id());
                    if (rank != null) {
                        matched[slot] = matches.blocksAt(rank);
                        weighted[slot] = matches.scoreAt(rank);
                    }
                }
            }
        }
        PrefixMatchInfo info = new PrefixMatchInfo(name, matched, keys.length, indexConfig.blockSize(), keys);
        context.put(PrefixMatchInfo.keyFor(name), info);
        context.put(WeightedMatches.keyFor(name), new WeightedMatches(weighted, keys.length));
        if (context.get(PrefixMatchInfo.DEFAULT_KEY) == null) {
            context.put(PrefixMatchInfo.DEFAULT_KEY, info);
        }
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        PrefixMatchInfo info = context.get(PrefixMatchInfo.keyFor(name));
        if (info == null || info.requestKeys().length == 0) {
            return;
        }
        register(target, info.requestKeys(), context.nowNanos());
    }

    /** A prefill endpoint computes the prompt's KV and keeps it cached once it has been handed over. */
    @Override
    public void preRequestPrefill(SchedulingContext context, SchedulingResult result, Endpoint target) {
        preRequest(context, result, target);
    }

    private void register(Endpoint e, long[] keys, long now) {
        OptionalInt id = index.endpointId(e.id());
        if (id.isEmpty()) {
            return; // an endpoint without a KV-event subscription: nothing will confirm or refute entries there
        }
        if (speculativeIndexing) {
            index.speculate(id.getAsInt(), keys, now);
        } else {
            index.expect(id.getAsInt(), keys);
        }
    }
}
