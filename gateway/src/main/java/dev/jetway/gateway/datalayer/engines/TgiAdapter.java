package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * Hugging Face Text Generation Inference. Its metrics have the queue ({@code tgi_queue_size}) and the running batch
 * ({@code tgi_batch_current_size}) but no KV gauge: Jetway estimates KV usage as the tokens the current batch reserves
 * ({@code tgi_batch_current_max_tokens}) over the server's token budget ({@code max_batch_total_tokens} of its
 * {@code GET /info}, read when the model list is refreshed). That budget is also the capacity, in blocks of one token.
 */
public final class TgiAdapter implements EngineAdapter {

    static final String WAITING = "tgi_queue_size";
    static final String RUNNING = "tgi_batch_current_size";
    static final String BATCH_TOKENS = "tgi_batch_current_max_tokens";
    private static final StatusPage INFO = new StatusPage("/info", false);

    private static final Set<String> SERIES = Set.of(WAITING, RUNNING, BATCH_TOKENS);

    @Override
    public String name() {
        return "tgi";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("tgi_");
    }

    @Override
    public StatusPage statusPage() {
        return INFO;
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode info) {
        long budget = info == null ? -1 : info.path("max_batch_total_tokens").asLong(-1);
        double reserved = Series.sum(samples, BATCH_TOKENS);
        double usage = budget > 0 && reserved >= 0 ? Series.fraction(reserved / budget) : Double.NaN;
        int capacity = budget > 0 ? (int) Math.min(budget, Integer.MAX_VALUE) : -1;
        return ScrapedMetrics.of(Series.count(Series.sum(samples, WAITING)),
                Series.count(Series.sum(samples, RUNNING)), usage, capacity > 0 ? 1 : -1, capacity);
    }
}
