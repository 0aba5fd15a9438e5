package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code no-hit-lru-scorer}: spreads "cold" requests (no endpoint holds any block of their prefix) so that new
 * prefixes land on the endpoints that received a cold request least recently. Cold: never-used endpoints score
 * highest, then least recently used first, {@code 1 - rank / (n - 1)}; warm: 0.5 everywhere (neutral). Only cold
 * requests update the LRU ({@code lruSize} 1024 endpoints).
 */
public final class NoHitLruScorer implements Scorer, PrefixMatchReader, PreRequestHook {

    public static final String TYPE = "no-hit-lru-scorer";

    private final String name;
    private final String prefixProducer;
    private final int lruSize;
    // endpoint id → present; access order = recency of cold requests. Guarded by itself.
    private final LinkedHashMap<String, Boolean> lru;

    public NoHitLruScorer(String name, String prefixProducer, int lruSize) {
        this.name = name;
        this.prefixProducer = prefixProducer;
        this.lruSize = lruSize;
        this.lru = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > NoHitLruScorer.this.lruSize;
            }
        };
    }

    public static NoHitLruScorer create(String name, PluginParameters p) {
        // prefixPluginType/prefixPluginName name llm-d's prefix scorer instance; Jetway reads the producer directly.
        p.accept("prefixPluginType", "prefixPluginName");
        String producer = ApproxPrefixCacheProducer.readFrom(p);
        return new NoHitLruScorer(name, producer, p.integer("lruSize", 1024, 1, 1 << 20));
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
    public String prefixMatchProducerName() {
        return prefixProducer;
    }

    @Override
    public String describeParameters() {
        return "lruSize=" + lruSize + ", prefixMatchInfoProducerName=" + prefixProducer;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.DISTRIBUTION;
    }

    private boolean cold(SchedulingContext context) {
        PrefixMatchInfo match = prefixMatch(context);
        return match == null || !match.anyHit();
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        int n = candidates.size();
        if (!cold(context)) {
            java.util.Arrays.fill(scores, 0, n, 0.5);
            return;
        }
        // Rank: unused first (rank 0..), then used from least to most recently used.
        long[] keys = new long[n];
        synchronized (lru) {
            int order = 0;
            Map<String, Integer> recency = new java.util.HashMap<>(lru.size() * 2);
            for (String id : lru.keySet()) {
                recency.put(id, order++);
            }
            for (int i = 0; i < n; i++) {
                Integer r = recency.get(candidates.get(i).id());
                // unused endpoints sort before every used one; ties keep candidate order
                keys[i] = ((r == null ? -1L : r) + 1) << 20 | i;
            }
        }
        long[] sorted = keys.clone();
        java.util.Arrays.sort(sorted);
        for (int rank = 0; rank < n; rank++) {
            int i = (int) (sorted[rank] & 0xFFFFF);
            scores[i] = n == 1 ? 1.0 : 1.0 - (double) rank / (n - 1);
        }
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        if (cold(context)) {
            synchronized (lru) {
                lru.put(target.id(), Boolean.TRUE);
            }
        }
    }
}
