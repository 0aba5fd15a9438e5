package dev.jetway.gateway.audit;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.RequestIdentity;
import dev.jetway.gateway.proxy.OutputTokenCounter;
import dev.jetway.scheduler.SchedulingResult;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one request's audit record will say, noted as the request goes (by the stages, the proxy exchange or the
 * ext_proc exchange) and handed to the {@link AuditLog} once, when the request ends ({@link #finish}). Cheap to
 * feed: numbers and references; bytes are copied only when the log records text. Confined to the request's event
 * loop.
 */
public final class RequestAudit {

    private final AuditLog log;
    private final boolean captureResponse;
    private final int maxTextBytes;

    private long queueNanos = -1;
    private String endpoint;
    private int attempts;
    /** Every endpoint the request was sent to, in order (null until the first). */
    private List<String> endpoints;
    private int migrations;
    private int upstreamStatus;
    private boolean responseSse;
    private long ttftNanos = -1;
    private OpenAiError error;
    private boolean usageRead;
    private long completionTokens = -1;
    private long promptTokens = -1;
    private long cachedTokens = -1;
    private List<String> guardrails;
    private byte[] response;
    private int responseLength;
    private boolean responseTruncated;
    private boolean finished;
    private boolean bodyKept;
    private boolean cancelled;
    private byte[] forwardedBody;
    private boolean bodyTruncated;

    RequestAudit(AuditLog log) {
        this.log = log;
        this.captureResponse = log.settings().includeCompletion();
        this.maxTextBytes = log.settings().maxTextBytes();
    }

    /** The request waited this long in flow control's queue. */
    public void queued(long nanos) {
        queueNanos = nanos;
    }

    /** The request goes to {@code address} (one more attempt). */
    public void attempt(String address) {
        endpoint = address;
        attempts++;
        sentTo(address);
    }

    /** The endpoint that served is not the one tried first (ext_proc: Envoy retried elsewhere). */
    public void servedBy(String address) {
        endpoint = address;
        if (endpoints == null || !endpoints.getLast().equals(address)) {
            sentTo(address);
        }
    }

    private void sentTo(String address) {
        if (endpoints == null) {
            endpoints = new ArrayList<>(2);
        }
        endpoints.add(address);
    }

    /** The stream goes on on another endpoint (request migration): the next attempt is a continuation leg. */
    public void migrated() {
        migrations++;
    }

    /** The model server's response head. */
    public void responseHead(int status, boolean sse) {
        upstreamStatus = status;
        responseSse = sse;
    }

    /** The first response byte went to the client, {@code nanos} after the request was taken. */
    public void firstByte(long nanos) {
        if (ttftNanos < 0) {
            ttftNanos = nanos;
        }
    }

    /** Whether the response's bytes are wanted ({@link #responseBytes}). */
    public boolean capturesResponse() {
        return captureResponse;
    }

    /** Response bytes as relayed (only when {@link #capturesResponse}); kept up to {@code maxTextBytes}. */
    public void responseBytes(ByteBuf content) {
        int n = content.readableBytes();
        if (n == 0 || responseTruncated) {
            return;
        }
        int take = reserve(n);
        content.getBytes(content.readerIndex(), response, responseLength, take);
        responseLength += take;
    }

    /** Response bytes as relayed (ext_proc: Envoy's body chunks). */
    public void responseBytes(ByteBuffer content) {
        int n = content.remaining();
        if (n == 0 || responseTruncated) {
            return;
        }
        int take = reserve(n);
        content.duplicate().get(response, responseLength, take);
        responseLength += take;
    }

    private int reserve(int n) {
        int take = Math.min(n, maxTextBytes - responseLength);
        if (take < n) {
            responseTruncated = true;
        }
        if (response == null) {
            response = new byte[Math.min(maxTextBytes, Math.max(4096, take))];
        } else if (responseLength + take > response.length) {
            response = Arrays.copyOf(response, Math.min(maxTextBytes, Math.max(responseLength + take,
                    response.length * 2)));
        }
        return take;
    }

    /** The error the client got (a local reply, a failure before or after the first byte). The first one counts. */
    public void error(OpenAiError e) {
        if (error == null) {
            error = e;
        }
    }

    /** The client (or, in endpoint-picker mode, Envoy) went away before the response ended. */
    public void cancelled() {
        cancelled = true;
    }

    /** The usage the response carried (and the tokens the counter read). */
    public void usage(OutputTokenCounter counter, int generated) {
        usageRead = true;
        completionTokens = generated;
        promptTokens = counter.usagePromptTokens();
        cachedTokens = counter.usageCachedTokens();
    }

    /** A guardrail acted: {@code rule:outcome}. */
    public void guardrail(String note) {
        if (guardrails == null) {
            guardrails = new ArrayList<>(2);
        }
        guardrails.add(note);
    }

    /**
     * The body as forwarded, for the prompt's text (only with {@code includePrompt}): kept now because it is about to
     * be released (an ext_proc stream frees it once routed) or the request ends. Once.
     */
    public void keepBody(ByteBuf forwarded) {
        if (bodyKept || !log.settings().includePrompt()) {
            return;
        }
        bodyKept = true;
        if (forwarded.readableBytes() > maxTextBytes) {
            bodyTruncated = true;
        } else {
            forwardedBody = new byte[forwarded.readableBytes()];
            forwarded.getBytes(forwarded.readerIndex(), forwardedBody);
        }
    }

    /**
     * The request is over: its record goes to the log (dropped and counted when the log's queue is full). Called by
     * the request's end, before its body is released; once.
     */
    public void finish(GatewayRequest request, long endNanos) {
        if (finished) {
            return;
        }
        finished = true;
        long total = endNanos - request.startNanos();
        long epochMillis = System.currentTimeMillis() - total / 1_000_000;
        RequestIdentity id = request.identity();
        var parsed = request.parsed();
        SchedulingResult decision = request.decision();
        String outcome;
        int status;
        if ((cancelled || request.isClientGone()) && error == null && !complete()) {
            outcome = AuditRecord.CANCELLED;
            status = AuditRecord.CLIENT_CLOSED;
        } else if (error != null) {
            outcome = attempts == 0 ? AuditRecord.REJECTED : AuditRecord.FAILED;
            status = error.status();
        } else if (upstreamStatus >= 400) {
            outcome = AuditRecord.UPSTREAM_ERROR;
            status = upstreamStatus;
        } else if (upstreamStatus > 0) {
            outcome = AuditRecord.OK;
            status = upstreamStatus;
        } else {
            // ended with neither an answer nor an error: the client went away (ext_proc: Envoy closed the stream)
            outcome = AuditRecord.CANCELLED;
            status = AuditRecord.CLIENT_CLOSED;
        }
        long prompt = promptTokens;
        if (prompt < 0 && decision != null) {
            prompt = decision.context().promptTokenCount();
        }
        long cached = cachedTokens;
        if (request.split() != null && request.split().cachedTokens() >= 0) {
            cached = request.split().cachedTokens(); // the prefill leg's figure, as the client is told
        }
        if (parsed != null) {
            keepBody(request.upstreamBody());
        }
        byte[] responseCopy = response == null ? null
                : responseLength == response.length ? response : Arrays.copyOf(response, responseLength);
        log.offer(new AuditRecord(epochMillis, request.requestId(), id == null ? null : id.fairnessId(),
                id == null ? null : id.objective(), id == null ? 0 : id.priority(), request.kind().path(),
                parsed == null ? null : parsed.model(), parsed == null ? null : parsed.stream(),
                request.pool() == null ? null : request.pool().name(), endpoint,
                request.split() == null ? null : request.split().prefill().address(), attempts,
                endpoints == null ? List.of() : endpoints, migrations,
                decision == null ? null : decision.decision(), outcome, status, upstreamStatus,
                error == null ? null : error.type(), error == null ? null : error.code(),
                error == null ? null : error.message(), guardrails == null ? List.of() : guardrails, prompt,
                usageRead ? completionTokens : -1, cached, queueNanos, ttftNanos, total, forwardedBody, bodyTruncated,
                responseCopy, responseSse, responseTruncated));
    }

    /** The response ended normally before the client went (its end and the disconnect can come together). */
    private boolean complete() {
        return usageRead && upstreamStatus > 0 && upstreamStatus < 400;
    }
}
