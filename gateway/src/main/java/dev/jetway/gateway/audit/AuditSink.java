package dev.jetway.gateway.audit;

import java.io.IOException;
import java.util.List;

/** Where audit records go: the rotating JSONL file, OTLP logs. Called by the log's one writer thread only. */
interface AuditSink extends AutoCloseable {

    /** The sink's name: the {@code sink} label of the written and failed counters. */
    String name();

    /**
     * Writes a batch of records (each one JSON object, no line end) and makes them durable as far as the sink goes
     * (flushed to the file, accepted by the collector). A failure fails the whole batch.
     */
    void write(List<AuditRecord> records, List<byte[]> json) throws IOException;

    @Override
    void close();
}
