package dev.jetway.gateway.audit;

import dev.jetway.gateway.config.AuditSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.scheduler.InferenceRequest;
import io.netty.handler.codec.http.HttpHeaders;
import dev.jetway.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: requests hand their record over without waiting ({@link #offer}), one writer thread turns records
 * into JSON and hands them to the sinks (the rotating JSONL file, OTLP logs). The queue is bounded by records
 * ({@code queueCapacity}) and by the text bytes they hold ({@code maxQueueBytes}); a record that does not fit is
 * dropped and counted ({@code jetway_audit_records_dropped_total}), never waited for: a slow disk or collector costs
 * records, not latency.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 256;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final AuditSettings settings;
    private final ArrayBlockingQueue<AuditRecord> queue;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final List<AuditSink> sinks;
    private final Counter dropped;
    private final List<Counter> written = new ArrayList<>();
    private final List<Counter> failed = new ArrayList<>();
    private final Counter unencodable;
    private final AuditJson json;
    private final Thread writer;
    private volatile boolean closing;
    private long lastFailureLog;

    AuditLog(AuditSettings settings, List<AuditSink> sinks, GatewayMetrics metrics) {
        this.settings = settings;
        this.sinks = List.copyOf(sinks);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.json = new AuditJson(settings);
        var registry = metrics.registry();
        this.dropped = Counter.builder("jetway_audit_records_dropped")
                .description("Audit records dropped because the writer's queue was full").register(registry);
        for (AuditSink sink : this.sinks) {
            written.add(Counter.builder("jetway_audit_records_written").tag("sink", sink.name())
                    .description("Audit records written").register(registry));
            failed.add(Counter.builder("jetway_audit_records_failed").tag("sink", sink.name())
                    .description("Audit records a sink could not take (I/O error, collector down)")
                    .register(registry));
        }
        this.unencodable = Counter.builder("jetway_audit_records_failed").tag("sink", "encode")
                .description("Audit records a sink could not take (I/O error, collector down)").register(registry);
        metrics.gauge("jetway_audit_queue_depth", "Audit records waiting for the writer",
                io.micrometer.core.instrument.Tags.empty(), queue::size);
        this.writer = Thread.ofPlatform().daemon().name("jetway-audit").unstarted(this::run);
    }

    /**
     * The log of {@code settings}, started: its file's directory must exist and be writable (checked now, so a wrong
     * path fails the start, not every record); the file itself is opened by the writer.
     */
    public static AuditLog start(AuditSettings settings, Path baseDir, GatewayMetrics metrics) {
        List<AuditSink> sinks = new ArrayList<>(2);
        if (settings.file() != null) {
            Path file = baseDir.resolve(settings.file()).toAbsolutePath().normalize();
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("audit.file: the directory " + dir + " does not exist");
            }
            if (!Files.isWritable(dir)) {
                throw new IllegalStateException("audit.file: the directory " + dir + " is not writable");
            }
            if (Files.isDirectory(file)) {
                throw new IllegalStateException("audit.file: " + file + " is a directory");
            }
            sinks.add(new RotatingJsonlFile(file, settings.maxFileBytes(), settings.maxFiles()));
        }
        if (settings.otlp() != null) {
            sinks.add(new OtlpLogSink(settings.otlp()));
        }
        AuditLog auditLog = new AuditLog(settings, sinks, metrics);
        auditLog.writer.start();
        log.info("audit log on: {}", settings.file() != null ? baseDir.resolve(settings.file()).toAbsolutePath()
                .normalize() + (settings.otlp() != null ? " and " + settings.otlp().endpoint() : "")
                : settings.otlp().endpoint());
        return auditLog;
    }

    public AuditSettings settings() {
        return settings;
    }

    /** A new request's audit (what it notes goes into its one record). */
    public RequestAudit begin() {
        return new RequestAudit(this);
    }

    /**
     * The record of an inference request refused before it became one (its body over {@code server.maxBodyBytes}):
     * what its headers say, and the error.
     */
    public void refusedBeforePath(ApiKind kind, HttpHeaders headers, OpenAiError error) {
        String id = headers.get("x-request-id");
        String tenant = headers.get(InferenceRequest.FAIRNESS_HEADER);
        offer(new AuditRecord(System.currentTimeMillis(), id != null && !id.isEmpty() ? id : GatewayRequest.newId(),
                tenant != null && !tenant.isEmpty() ? tenant : null, null, 0, kind.path(), null, null, null, null,
                null, 0, List.of(), 0, null, AuditRecord.REJECTED, error.status(), 0, error.type(), error.code(),
                error.message(),
                List.of(), -1, -1, -1, -1, -1, 0, null, false, null, false, false));
    }

    /** Queues the record for the writer; false (dropped, counted) when the queue is full. Never blocks. */
    boolean offer(AuditRecord record) {
        long bytes = record.capturedBytes();
        if (bytes > 0 && queuedBytes.addAndGet(bytes) > settings.maxQueueBytes()) {
            queuedBytes.addAndGet(-bytes);
            dropped.increment();
            return false;
        }
        if (closing || !queue.offer(record)) {
            queuedBytes.addAndGet(-bytes);
            dropped.increment();
            return false;
        }
        return true;
    }

    private void run() {
        List<AuditRecord> batch = new ArrayList<>(BATCH);
        List<AuditRecord> encoded = new ArrayList<>(BATCH);
        List<byte[]> lines = new ArrayList<>(BATCH);
        while (true) {
            if (queue.drainTo(batch, BATCH) == 0) {
                if (closing) {
                    break;
                }
                // the writer looks every few ms rather than being woken per record: a request handing its record
                // over then never wakes a thread (no futex call on the event loop), and records come in batches
                LockSupport.parkNanos(IDLE_NANOS);
                continue;
            }
            for (AuditRecord r : batch) {
                queuedBytes.addAndGet(-r.capturedBytes());
                try {
                    lines.add(json.encode(r));
                    encoded.add(r);
                } catch (IOException | RuntimeException e) {
                    unencodable.increment();
                    logFailure("an audit record could not be encoded", e);
                }
            }
            for (int i = 0; i < sinks.size(); i++) {
                try {
                    sinks.get(i).write(encoded, lines);
                    written.get(i).increment(lines.size());
                } catch (IOException | RuntimeException e) {
                    failed.get(i).increment(lines.size());
                    logFailure("audit sink " + sinks.get(i).name() + " failed", e);
                }
            }
            batch.clear();
            encoded.clear();
            lines.clear();
        }
        for (AuditSink sink : sinks) {
            sink.close();
        }
    }

    /** At most one warning a second: a full disk must not flood the log too. */
    private void logFailure(String what, Exception e) {
        long now = System.nanoTime();
        if (now - lastFailureLog > 1_000_000_000L || lastFailureLog == 0) {
            lastFailureLog = now;
            log.warn("{}: {}", what, e.toString());
        }
    }

    /** Stops taking records, writes what is queued (waiting up to 5 s), and closes the sinks. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            log.warn("the audit writer did not finish within 5 s; {} records not written", queue.size());
        }
    }
}
