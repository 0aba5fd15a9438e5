package dev.jetway.gateway.trace;

import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;

/** The spans of one trace as an in-memory exporter got them, and how they hang together. */
public record Spans(List<SpanData> all) {

    /** Waits until a server span (the request's, which ends last) of some trace was exported; that trace's spans. */
    public static Spans awaitRequest(InMemorySpanExporter exporter) {
        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getKind() == SpanKind.SERVER));
        SpanData server = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER)
                .findFirst().orElseThrow();
        return new Spans(exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(server.getTraceId())).toList());
    }

    public SpanData server() {
        return all.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    }

    public SpanData named(String name) {
        return all.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + names()));
    }

    public List<SpanData> clients() {
        return all.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    }

    public List<String> names() {
        return all.stream().map(SpanData::getName).toList();
    }

    /** The spans whose parent is {@code parent}, by name. */
    public List<String> childrenOf(SpanData parent) {
        return all.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).map(SpanData::getName)
                .toList();
    }
}
