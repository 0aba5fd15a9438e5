package dev.jetway.bench.live;

import dev.jetway.bench.metrics.MetricsCollector;
import dev.jetway.bench.metrics.RequestTrace;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Reads one response line by line as it arrives: SSE {@code data:} chunks (each chunk with text is one token
 * arrival: vLLM streams one chunk per generated token) or a whole JSON answer; records token times and the end
 * exactly once (completion, error, or timeout, whichever comes first).
 */
final class ResponseSubscriber implements Flow.Subscriber<String> {

    private final MetricsCollector collector;
    private final RequestTrace trace;
    private final LongSupplier clock;
    private final boolean streaming;
    private final int plannedPromptTokens;
    private final Runnable onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final StringBuilder body = new StringBuilder();
    private volatile Flow.Subscription subscription;
    private volatile int status;
    /** The gateway's {@code x-llm-d-request-dropped-reason}, when it answered with one. */
    private volatile String droppedReason;
    /** The replica that served the request (its decode leg when split) and its prefill replica; -1 when unknown. */
    private volatile int replica = -1;
    private volatile int prefillReplica = -1;
    private int promptTokens = -1;
    private int completionTokens = -1;
    private int cachedTokens;
    private String streamError;
    private boolean done;

    ResponseSubscriber(MetricsCollector collector, RequestTrace trace, LongSupplier clock, boolean streaming,
                       int plannedPromptTokens, Runnable onEnd) {
        this.collector = collector;
        this.trace = trace;
        this.clock = clock;
        this.streaming = streaming;
        this.plannedPromptTokens = plannedPromptTokens;
        this.onEnd = onEnd;
    }

    void status(int code, String droppedReason) {
        this.droppedReason = droppedReason;
        status = code;
    }

    void servedBy(int replica, int prefillReplica) {
        this.replica = replica;
        this.prefillReplica = prefillReplica;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (ended.get()) {
            return;
        }
        if (status != 200 || !streaming) {
            if (body.length() < 1 << 20) {
                body.append(line).append('\n');
            }
            return;
        }
        if (!line.startsWith("data:")) {
            return; // blank separators, comments, event names
        }
        String payload = line.substring(5).strip();
        if (payload.equals("[DONE]")) {
            done = true;
            return;
        }
        ResponseParser.Parsed chunk = ResponseParser.parse(payload);
        if (chunk.error() != null) {
            streamError = chunk.error();
            return;
        }
        if (chunk.hasContent()) {
            long now = clock.getAsLong();
            synchronized (collector) {
                collector.tokens(trace, 1, now);
            }
        }
        absorbUsage(chunk);
    }

    private void absorbUsage(ResponseParser.Parsed parsed) {
        if (parsed.completionTokens() >= 0) {
            promptTokens = parsed.promptTokens();
            completionTokens = parsed.completionTokens();
            cachedTokens = parsed.cachedTokens();
        }
    }

    @Override
    public void onError(Throwable t) {
        fail(describe(t));
    }

    @Override
    public void onComplete() {
        long now = clock.getAsLong();
        if (status != 200) {
            fail(ResponseParser.errorMessage(status, body.toString()));
            return;
        }
        if (!streaming) {
            ResponseParser.Parsed whole = ResponseParser.parse(body.toString());
            if (whole.error() != null) {
                fail(whole.error());
                return;
            }
            absorbUsage(whole);
            synchronized (collector) {
                collector.tokens(trace, Math.max(1, completionTokens), now);
            }
        } else if (streamError != null) {
            fail(streamError);
            return;
        } else if (!done) {
            fail("stream ended without [DONE]");
            return;
        }
        if (ended.compareAndSet(false, true)) {
            int prompt = promptTokens >= 0 ? promptTokens : plannedPromptTokens;
            synchronized (collector) {
                if (prefillReplica >= 0 && replica >= 0) {
                    // A split request: the prefill replica computed (or found cached) the prompt, the decode replica
                    // received all of it over the KV transfer; each leg counts where it ran.
                    collector.legServed(prefillReplica, prompt, cachedTokens);
                    collector.legServed(replica, prompt, prompt);
                    collector.finish(trace, true, null, now, prompt, cachedTokens, completionTokens, -1);
                } else {
                    collector.finish(trace, true, null, now, prompt, cachedTokens, completionTokens, replica);
                }
            }
            onEnd.run();
        }
    }

    /** Ends the request as failed (idempotent) and stops reading. */
    void fail(String error) {
        if (ended.compareAndSet(false, true)) {
            long now = clock.getAsLong();
            int code = status;
            synchronized (collector) {
                // An error status is the server's answer; a failure after a 200 (timeout, broken stream) has none.
                // a failed request counts on no replica: its prompt was not served, so it says nothing of hit rates
                collector.finish(trace, false, error, now, plannedPromptTokens, 0, 0, -1, code == 200 ? 0 : code,
                        droppedReason);
            }
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            onEnd.run();
        }
    }

    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.net.http.HttpTimeoutException || c instanceof java.util.concurrent.TimeoutException) {
                return "timeout";
            }
            if (c instanceof java.net.ConnectException) {
                return "connection refused";
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String name = root.getClass().getSimpleName();
        return root.getMessage() == null ? name : name + ": " + root.getMessage();
    }
}
