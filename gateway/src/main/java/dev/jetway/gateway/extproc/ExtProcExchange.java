package dev.jetway.gateway.extproc;

import com.google.protobuf.ByteString;
import dev.jetway.gateway.audit.RequestAudit;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.outlier.AttemptOutcome;
import dev.jetway.gateway.outlier.OutlierDetector;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.SplitLeg;
import dev.jetway.gateway.proxy.OutputTokenCounter;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.latency.LatencyPredictions;
import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A request the picker routed, from the answer to Envoy until its response is over: the endpoint-picker counterpart
 * of {@link ProxyExchange}'s hooks, driven by what Envoy reports instead of by relaying. The scheduler is told
 * exactly once each that the request went out (to the primary, moved to the endpoint Envoy says served it when a
 * retry went elsewhere), that its first token came back, and that it ended, with the tokens generated (read from the
 * response body chunks by an {@link OutputTokenCounter}), so in-flight counts, prefix indexes and the latency model
 * learn as they do in the gateway. The pool's outlier detection hears the response too: its status (a 5xx only when
 * Envoy names the endpoint that served, since Envoy answers some 503s itself), its first byte and a stream's pace;
 * Envoy's own retries and connect failures it does not see (Envoy's outlier detection covers those). Confined to the
 * stream's event loop.
 */
final class ExtProcExchange {

    private final GatewayRequest request;
    private final GatewayPool pool;
    private final SchedulingResult result;
    private final SplitLeg split;
    private final GatewayMetrics metrics;
    private final GatewayMetrics.ModelMeters modelMeters;
    private final ExtProcMetrics eppMetrics;
    private final ExtProcMetrics.PerModel eppMeters;
    private final String destination;
    /** Add the decision record to the response ({@code x-jetway-debug: 1} or {@code server.debugHeader}). */
    private final boolean debug;
    /** Name the serving endpoint in the response ({@code security.endpointHeader}). */
    private final boolean endpointHeader;

    private Endpoint served;
    private boolean sidecarPrefillCharged;
    private int status;
    private boolean bodyStarted;
    private OutputTokenCounter outputTokens;
    /** For outlier detection; null when the status cannot be pinned on an endpoint. */
    private AttemptOutcome outcome;
    private boolean eventStream;
    private long responseBytes;
    private boolean finished;
    /** What the audit log records of the request, or null. */
    private final RequestAudit audit;

    ExtProcExchange(GatewayRequest request, GatewayMetrics metrics, ExtProcMetrics eppMetrics, boolean debug,
                    boolean endpointHeader) {
        this.debug = debug;
        this.endpointHeader = endpointHeader;
        this.request = request;
        this.pool = request.pool();
        this.result = request.decision();
        this.split = request.split();
        this.metrics = metrics;
        this.modelMeters = metrics.model(request.parsed().model());
        this.eppMetrics = eppMetrics;
        this.eppMeters = eppMetrics.model(request.parsed().model());
        this.destination = destination(result.targets());
        this.audit = request.audit();
    }

    /** {@code ip:port[,ip:port...]}: the decision's ordered targets, primary first (Envoy's retry order). */
    static String destination(List<Endpoint> targets) {
        if (targets.size() == 1) {
            return targets.getFirst().address();
        }
        StringJoiner j = new StringJoiner(",");
        for (Endpoint e : targets) {
            j.add(e.address());
        }
        return j.toString();
    }

    String destination() {
        return destination;
    }

    SplitLeg split() {
        return split;
    }

    /** The answer goes out now: the request is in flight on the primary (and a split's prefill endpoint). */
    void charge() {
        served = result.primaryEndpoint();
        if (audit != null) {
            audit.attempt(served.address());
        }
        pool.scheduler().preRequest(result, served);
        if (split != null && split.sidecar()) {
            // the decode pod's sidecar runs the prefill leg: counted on the prefill endpoint until the first token
            sidecarPrefillCharged = true;
            pool.scheduler().preRequestPrefill(result, split.prefill());
        }
        request.flowCharged();
        modelMeters.received(request.bodyBytes());
        eppMeters.started();
    }

    /**
     * The response's headers: its status, and the endpoint that served it as Envoy reports it ({@code null}: not
     * reported, the primary is assumed). Returns the headers plugins add to the client's response.
     */
    Map<String, String> responseHeaders(int status, String servedAddress, boolean eventStream) {
        this.status = status;
        Endpoint reported = servedAddress == null ? null : member(servedAddress);
        if (reported != null && reported != served) {
            // Envoy retried on a fallback: the request now runs there, so its charge moves with it
            pool.scheduler().preRequest(result, reported);
            served = reported;
            eppMetrics.servedByFallback();
            if (audit != null) {
                audit.servedBy(reported.address());
            }
        }
        if (audit != null) {
            audit.responseHead(status, eventStream);
        }
        GatewayEndpoint member = pool.endpoint(served);
        if (member != null && (reported != null || status < 500)) {
            outcome = AttemptOutcome.at(member);
            outcome.head(status);
        }
        this.eventStream = eventStream;
        request.trace().responded(status);
        if (status >= 400) {
            metrics.requestError(request.parsed().model(), Integer.toString(status));
        } else {
            outputTokens = eventStream ? OutputTokenCounter.forEventStream() : OutputTokenCounter.forJsonBody();
            recordPredictions();
        }
        Map<String, String> headers = new LinkedHashMap<>(pool.scheduler().responseHeaders(result, served));
        if (endpointHeader) {
            headers.put(ProxyExchange.ENDPOINT_HEADER, served.address());
        }
        if (split != null && endpointHeader) {
            headers.put(SplitLeg.PREFILL_ENDPOINT_HEADER, split.prefill().address());
        }
        if (debug) {
            String excluded = OutlierDetector.excluded(pool.endpoints());
            headers.put(ProxyExchange.DECISION_HEADER, result.decision().toCompactString()
                    + (excluded.isEmpty() ? "" : " | excluded: " + excluded));
        }
        return headers;
    }

    private Endpoint member(String address) {
        String first = address.indexOf(',') < 0 ? address : address.substring(0, address.indexOf(','));
        for (var e : pool.endpoints()) {
            if (e.endpoint().address().equals(first.trim())) {
                return e.endpoint();
            }
        }
        return null;
    }

    private void recordPredictions() {
        LatencyPredictions predictions = result.context().get(LatencyPredictions.DEFAULT_KEY);
        if (predictions != null) {
            int slot = result.context().endpoints().indexOf(served);
            if (slot >= 0) {
                modelMeters.predicted(predictions.ttft(slot), predictions.tpot(slot));
            }
        }
    }

    /** A piece of the response body on its way to the client. */
    void responseBody(ByteString chunk, boolean endOfStream) {
        if (finished) {
            return;
        }
        if (!chunk.isEmpty()) {
            responseBytes += chunk.size();
            if (!bodyStarted) {
                bodyStarted = true;
                long sinceStart = System.nanoTime() - request.startNanos();
                modelMeters.firstToken(request.parsed().stream(), sinceStart);
                if (audit != null) {
                    audit.firstByte(sinceStart);
                }
                sidecarPrefillDone(true);
                if (status < 400) {
                    // an error body is no first token (as in the gateway's relay)
                    pool.scheduler().onFirstToken(result, served);
                }
                if (outcome != null) {
                    outcome.answered();
                }
                request.trace().firstToken();
            }
            if (outputTokens != null) {
                outputTokens.scan(Unpooled.wrappedBuffer(chunk.asReadOnlyByteBuffer()));
                if (outcome != null && eventStream) {
                    outcome.content(outputTokens.contentChunks(), System.nanoTime());
                }
            }
            if (audit != null && audit.capturesResponse()) {
                audit.responseBytes(chunk.asReadOnlyByteBuffer());
            }
        }
        if (endOfStream) {
            finish(status > 0 && status < 400);
        }
    }

    /**
     * The response is over ({@code success}: it ended normally with a status below 400), or the stream closed before
     * it did. The scheduler hears it once; the request ends.
     */
    void finish(boolean success) {
        if (finished) {
            return;
        }
        finished = true;
        if (success && !bodyStarted) {
            pool.scheduler().onFirstToken(result, served);
        }
        if (outcome != null) {
            if (success) {
                outcome.answered();
            }
            if (eventStream && outputTokens != null) {
                outcome.streamEnded(outputTokens.contentChunks(), System.nanoTime());
            }
        }
        sidecarPrefillDone(false);
        int generated = success && outputTokens != null ? outputTokens.outputTokens() : -1;
        if (audit != null && success && outputTokens != null) {
            audit.usage(outputTokens, generated);
        }
        pool.scheduler().onComplete(result, served, success, generated);
        GatewayEndpoint member = success && outputTokens != null && split == null ? pool.endpoint(served) : null;
        if (member != null) {
            member.tokenUnits().observe(result.context().promptTokenCount(), outputTokens.usagePromptTokens());
        }
        request.generated(generated);
        modelMeters.tokens(result.context().promptTokenCount(), generated);
        long duration = System.nanoTime() - request.startNanos();
        modelMeters.completed(duration);
        eppMeters.finished(duration, generated, responseBytes);
        request.end(false);
    }

    /** Envoy closed the stream before the response was over (the client went away, or the upstream request broke). */
    void cancelled() {
        if (audit != null && !finished) {
            audit.cancelled();
        }
        finish(false);
    }

    /** The request ends with {@code error} (an eviction, a protocol error). */
    void failed(OpenAiError error) {
        if (audit != null && !finished) {
            audit.error(error);
        }
        if (!finished) {
            request.trace().failed(error);
        }
        finish(false);
    }

    boolean isFinished() {
        return finished;
    }

    private void sidecarPrefillDone(boolean success) {
        if (sidecarPrefillCharged) {
            sidecarPrefillCharged = false;
            pool.scheduler().onPrefillComplete(result, split.prefill(), success);
        }
    }
}
