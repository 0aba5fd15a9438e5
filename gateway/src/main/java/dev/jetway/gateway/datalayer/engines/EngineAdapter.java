package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * How one model-server engine reports what routing needs: which Prometheus series mean waiting, running, KV usage,
 * KV geometry and LoRA state, and, where {@code /metrics} lacks a signal, which JSON status page fills it in. One small
 * class per engine; a pool names its engine in jetway.yaml ({@code engine}) or lets {@link EngineAdapters#detect}
 * recognise it from the page.
 */
public sealed interface EngineAdapter
        permits VllmAdapter, SglangAdapter, TrtllmServeAdapter, TritonTrtllmAdapter, TgiAdapter, LlamaCppAdapter {

    /** The name jetway.yaml uses ({@code engine: ...}). */
    String name();

    /** The series this engine's signals come from; only these are parsed on each scrape. */
    Set<String> seriesNames();

    /** True when a page carrying a series named {@code name} comes from this engine. */
    boolean recognises(String seriesName);

    /**
     * The signals of one page; a signal the page lacks stays -1 (counts) or NaN (usage), never invented.
     *
     * @param samples the page's samples of {@link #seriesNames()}
     * @param status  the last {@link #statusPage()} read, or null (none, or not read yet, or it failed)
     */
    ScrapedMetrics read(List<PromSample> samples, JsonNode status);

    /** Where the engine serves Prometheus text when {@code dataLayer.metricsPath} is not set. */
    default String metricsPath() {
        return "/metrics";
    }

    /** A JSON page read besides {@code /metrics} for signals the metrics lack, or null. */
    default StatusPage statusPage() {
        return null;
    }

    /**
     * A JSON status page.
     *
     * @param path        path on the model server, e.g. {@code /slots}
     * @param everyScrape true: read with every scrape (it changes as fast as the queue); false: read when the
     *                    endpoint's model list is refreshed (it describes the server's configuration)
     */
    record StatusPage(String path, boolean everyScrape) {
    }
}
