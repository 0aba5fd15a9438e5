package dev.jetway.gateway.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jetway.gateway.config.AuditSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Audit records as OpenTelemetry log records, exported over OTLP/HTTP with the JSON encoding (the OTLP specification's
 * {@code application/json} form, which every OpenTelemetry Collector's {@code otlphttp} receiver takes): one export
 * request per batch, each record's JSON as the log body, a few fields (request id, tenant, model, outcome, status)
 * as attributes for the backend to index. Written by hand on the JDK's HTTP client rather than with the OpenTelemetry
 * SDK, which the gateway does not otherwise carry.
 */
final class OtlpLogSink implements AuditSink {

    private static final JsonFactory FACTORY = new JsonFactory();

    private final AuditSettings.Otlp settings;
    private final URI endpoint;
    private final HttpClient http;

    OtlpLogSink(AuditSettings.Otlp settings) {
        this.settings = settings;
        this.endpoint = URI.create(settings.endpoint());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).build();
    }

    @Override
    public String name() {
        return "otlp";
    }

    @Override
    public void write(List<AuditRecord> records, List<byte[]> json) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(settings.timeout())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(exportRequest(records, json)));
        settings.headers().forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while exporting audit records", e);
        }
        if (response.statusCode() / 100 != 2) {
            String body = response.body();
            throw new IOException("the OTLP collector at " + endpoint + " answered " + response.statusCode()
                    + (body == null || body.isEmpty() ? "" : ": " + body.substring(0, Math.min(200, body.length()))));
        }
    }

    /** An {@code ExportLogsServiceRequest} in OTLP's JSON encoding (64-bit integers as strings). */
    byte[] exportRequest(List<AuditRecord> records, List<byte[]> json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 + 600 * records.size());
        long observed = System.currentTimeMillis() * 1_000_000L;
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("resourceLogs");
            g.writeStartObject();
            g.writeObjectFieldStart("resource");
            g.writeArrayFieldStart("attributes");
            attribute(g, "service.name", settings.serviceName());
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("scopeLogs");
            g.writeStartObject();
            g.writeObjectFieldStart("scope");
            g.writeStringField("name", "dev.jetway.gateway.audit");
            g.writeEndObject();
            g.writeArrayFieldStart("logRecords");
            for (int i = 0; i < records.size(); i++) {
                AuditRecord r = records.get(i);
                g.writeStartObject();
                g.writeStringField("timeUnixNano", Long.toString(r.epochMillis() * 1_000_000L));
                g.writeStringField("observedTimeUnixNano", Long.toString(observed));
                g.writeNumberField("severityNumber", r.status() >= 500 ? 17 : r.status() >= 400 ? 13 : 9);
                g.writeStringField("severityText", r.status() >= 500 ? "ERROR" : r.status() >= 400 ? "WARN" : "INFO");
                g.writeStringField("eventName", "jetway.audit");
                g.writeObjectFieldStart("body");
                g.writeStringField("stringValue", new String(json.get(i), StandardCharsets.UTF_8));
                g.writeEndObject();
                g.writeArrayFieldStart("attributes");
                attribute(g, "jetway.request_id", r.requestId());
                attribute(g, "jetway.tenant", r.tenant());
                attribute(g, "jetway.model", r.model());
                attribute(g, "jetway.outcome", r.outcome());
                g.writeStartObject();
                g.writeStringField("key", "http.response.status_code");
                g.writeObjectFieldStart("value");
                g.writeStringField("intValue", Integer.toString(r.status()));
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void attribute(JsonGenerator g, String key, String value) throws IOException {
        if (value == null) {
            return;
        }
        g.writeStartObject();
        g.writeStringField("key", key);
        g.writeObjectFieldStart("value");
        g.writeStringField("stringValue", value);
        g.writeEndObject();
        g.writeEndObject();
    }

    @Override
    public void close() {
        http.close();
    }
}
