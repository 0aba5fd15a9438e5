package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * llama.cpp's {@code llama-server} ({@code --metrics}). Its metrics give the queue ({@code llamacpp:requests_deferred}:
 * requests waiting for a free slot) and the running requests ({@code llamacpp:requests_processing}: busy slots) but no
 * KV gauge (older builds had {@code kv_cache_usage_ratio}, read when present). Jetway reads {@code GET /slots} with
 * every scrape instead. Usage: the context the busy slots hold ({@code n_prompt_tokens}, prompt and generated so far)
 * over the sum of the slots' context sizes ({@code n_ctx}); idle slots keep their last prompt, but like vLLM's free
 * cached blocks that is reusable space, not usage. Capacity (what the approximate prefix index sizes its per-endpoint
 * memory from): llama.cpp does not page a shared pool as vLLM does, it keeps one prompt per slot, so what it can hit
 * is what its slots hold now, busy or idle ({@code n_prompt_tokens} summed, in blocks of one token), plus, for each
 * slot that holds nothing yet, room for one prompt as long as those the others hold (a slot keeps one prompt however
 * long its context; before any slot holds one, the contexts). Sizing the index by the context sizes instead makes it
 * believe an endpoint keeps several times the prompts it does, so it sees a shared prefix on replicas that evicted it
 * long ago. The host-RAM prompt cache ({@code --cache-ram}) is invisible; with a large one, the index under-counts
 * (a prefix restored from RAM is a hit Jetway did not plan for, which costs nothing). A server started with
 * {@code --no-slots} answers /slots with an error: its KV usage and capacity are then unknown (the KV scorer sees
 * all such endpoints alike) and load comes from the queue and Jetway's own in-flight counts.
 */
public final class LlamaCppAdapter implements EngineAdapter {

    static final String WAITING = "llamacpp:requests_deferred";
    static final String RUNNING = "llamacpp:requests_processing";
    static final String KV_USAGE_OLD = "llamacpp:kv_cache_usage_ratio";
    private static final StatusPage SLOTS = new StatusPage("/slots", true);

    private static final Set<String> SERIES = Set.of(WAITING, RUNNING, KV_USAGE_OLD);

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("llamacpp:");
    }

    @Override
    public StatusPage statusPage() {
        return SLOTS;
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode slots) {
        long contexts = 0;
        long held = 0;
        int holding = 0;
        long used = 0;
        long[] emptyContexts = new long[slots != null && slots.isArray() ? slots.size() : 0];
        int empty = 0;
        if (slots != null && slots.isArray()) {
            for (JsonNode slot : slots) {
                long ctx = Math.max(0, slot.path("n_ctx").asLong(0));
                long tokens = Math.min(ctx, Math.max(0, slot.path("n_prompt_tokens").asLong(0)));
                contexts += ctx;
                if (tokens > 0) {
                    held += tokens;
                    holding++;
                } else if (ctx > 0) {
                    emptyContexts[empty++] = ctx;
                }
                if (slot.path("is_processing").asBoolean(false)) {
                    used += tokens;
                }
            }
        }
        double usage = contexts > 0 ? (double) used / contexts : Series.fraction(Series.max(samples, KV_USAGE_OLD));
        // a slot keeps one prompt: what the slots hold is all they can hit, and an empty slot is room for one more
        // prompt, about as long as the ones held (at most its context)
        long capacity = contexts;
        if (holding > 0) {
            capacity = held;
            for (int i = 0; i < empty; i++) {
                capacity += Math.min(emptyContexts[i], held / holding);
            }
        }
        int blocks = capacity > 0 ? (int) Math.min(capacity, Integer.MAX_VALUE) : -1;
        return ScrapedMetrics.of(Series.count(Series.sum(samples, WAITING)),
                Series.count(Series.sum(samples, RUNNING)), usage, blocks > 0 ? 1 : -1, blocks);
    }
}
