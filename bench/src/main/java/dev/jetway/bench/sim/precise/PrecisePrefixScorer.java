package dev.jetway.bench.sim.precise;

import dev.jetway.kvcache.index.precise.EndpointMatch;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.index.precise.PrefixMatches;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.Map;

/**
 * llm-d's precise prefix-cache scoring over the KV-event-driven {@link PrecisePrefixIndex}: an endpoint scores the
 * tier-weighted length of the longest run of the request's blocks it holds from block 0, divided by the request's
 * blocks (llm-d's LongestPrefixScorer, normalized to [0, 1]). After the pick it records speculative entries for the
 * chosen endpoint (llm-d's {@code speculativeIndexing}), so siblings sent before the engine's {@code BlockStored}
 * arrives still find the prefix there.
 *
 * <p>Simulator-side wiring of the precise index, used until the scheduler ships its own precise plugin.
 */
final class PrecisePrefixScorer implements Scorer, PreRequestHook {

    static final String TYPE = "precise-prefix-cache-scorer";

    private final PrecisePrefixIndex index;
    private final Map<String, Integer> endpointIds;

    PrecisePrefixScorer(PrecisePrefixIndex index, Map<String, Integer> endpointIds) {
        this.index = index;
        this.endpointIds = Map.copyOf(endpointIds);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        PrefixMatches matches = index.match(keys(context.request()));
        int total = matches.totalBlocks();
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = 0.0;
            if (total == 0) {
                continue;
            }
            String id = candidates.get(i).id();
            for (EndpointMatch m : matches.matches()) {
                if (m.endpoint().equals(id)) {
                    scores[i] = m.score() / total;
                    break;
                }
            }
        }
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        Integer id = endpointIds.get(target.id());
        if (id != null) {
            index.speculate(id, keys(context.request()));
        }
    }

    private long[] keys(InferenceRequest request) {
        int[] tokens = request.tokenIds();
        return tokens == null ? new long[0]
                : index.requestKeys(request.cacheModel(), null, request.cacheSalt(), tokens);
    }
}
