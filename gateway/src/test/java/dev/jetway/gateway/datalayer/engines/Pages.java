package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.datalayer.PrometheusTextParser;
import dev.jetway.gateway.datalayer.ScrapedMetrics;

/** Reads a recorded page (and status page) the way the scraper does. */
final class Pages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Pages() {
    }

    static ScrapedMetrics read(EngineAdapter adapter, String page) {
        return read(adapter, page, null);
    }

    static ScrapedMetrics read(EngineAdapter adapter, String page, String statusJson) {
        try {
            JsonNode status = statusJson == null ? null : JSON.readTree(statusJson);
            return adapter.read(PrometheusTextParser.parse(page, adapter.seriesNames()), status);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
