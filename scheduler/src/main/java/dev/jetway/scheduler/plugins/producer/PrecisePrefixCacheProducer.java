package dev.jetway.scheduler.plugins.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.index.precise.PrefixMatches;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.ProfileResult;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PromptTokens;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code precise-prefix-cache-producer}: which endpoints hold the request's prefix, from the engines' own KV events
 * (llm-d's precise prefix cache), via the {@link PrecisePrefixIndex} the caller feeds and passes in the
 * {@link SchedulerEnvironment#preciseIndex() environment}. Endpoints are matched by {@link Endpoint#id()}, which must
 * be the name the caller registered in the index.
 *
 * <p>Needs the engine's token ids: the caller's ids, else a {@code token-producer} with a real tokenizer backend,
 * else the environment's tokenizer.
 * Estimated pseudo-tokens never match KV events, so with them every match is 0 (no affinity, never a wrong one).
 * At pre-request the request's keys are registered as speculative entries for the chosen endpoint
 * ({@code speculativeIndexing}, default true) so that a sibling request finds them before the engine's
 * {@code BlockStored} arrives; otherwise only for the hash-parity check.
 *
 * <p>Parameters: {@code tokenProcessorConfig.blockSize} (when given it must equal the index's block size, which must
 * match vLLM's {@code --block-size}); {@code speculativeIndexing}; {@code indexerConfig} and {@code kvEventsConfig}
 * are accepted (the gateway's event intake reads its own settings).
 */
public final class PrecisePrefixCacheProducer implements DataProducer, PreRequestHook {

    public static final String TYPE = "precise-prefix-cache-producer";

    private final String name;
    private final PrecisePrefixIndex index;
    private final boolean speculative;

    public PrecisePrefixCacheProducer(String name, PrecisePrefixIndex index, boolean speculative) {
        this.name = name;
        this.index = index;
        this.speculative = speculative;
    }

    public static PrecisePrefixCacheProducer create(String name, PluginParameters p, SchedulerEnvironment env) {
        PrecisePrefixIndex index = env.preciseIndex();
        JsonNode tokenConfig = p.raw("tokenProcessorConfig");
        p.accept("indexerConfig", "kvEventsConfig");
        boolean speculative = p.bool("speculativeIndexing", true);
        if (index == null) {
            throw new IllegalArgumentException("needs the precise prefix index (fed by KV events), which this "
                    + "scheduler was not given: the gateway or simulator passes it with "
                    + "SchedulerEnvironment.withPreciseIndex");
        }
        if (tokenConfig != null && tokenConfig.has("blockSize")) {
            int blockSize = tokenConfig.get("blockSize").asInt();
            if (blockSize != index.config().blockSize()) {
                throw p.error("tokenProcessorConfig", "blockSize " + blockSize + " differs from the index's "
                        + index.config().blockSize() + " (it must match the engine's --block-size)");
            }
        }
        return new PrecisePrefixCacheProducer(name, index, speculative);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return "blockSize=" + index.config().blockSize() + ", speculativeIndexing=" + speculative;
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
        long[] keys;
        if (ids == null) {
            keys = new long[0]; // pseudo-tokens cannot match what engines report
        } else {
            PrefixMatches m = index.match(r.targetModel(), r.loraAdapter(), r.cacheSalt(), ids);
            keys = m.requestKeys();
            if (!m.matches().isEmpty()) {
                for (int i = 0; i < matched.length; i++) {
                    matched[i] = m.blocks(endpoints.get(i).id());
                }
            }
        }
        PrefixMatchInfo info = new PrefixMatchInfo(name, matched, keys.length, index.config().blockSize(), keys);
        context.put(PrefixMatchInfo.keyFor(name), info);
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
        ProfileResult prefill = result == null ? null : result.profiles().get("prefill");
        if (prefill != null && prefill.primary() != null && prefill.primary() != target) {
            register(prefill.primary(), info.requestKeys(), context.nowNanos());
        }
    }

    private void register(Endpoint e, long[] keys, long now) {
        OptionalInt id = index.endpointId(e.id());
        if (id.isEmpty()) {
            return; // not an endpoint whose events the caller subscribes to
        }
        if (speculative) {
            index.speculate(id.getAsInt(), keys, now);
        } else {
            index.expect(id.getAsInt(), keys);
        }
    }
}
