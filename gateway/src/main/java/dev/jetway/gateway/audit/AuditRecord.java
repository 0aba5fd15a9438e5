package dev.jetway.gateway.audit;

import dev.jetway.scheduler.DecisionRecord;
import java.util.List;

/**
 * One request as the audit log records it (docs/governance.md, "The record"). Built on the request's event loop when
 * the request ends, from values it already had; everything that costs (the decision's text, the prompt and completion
 * text, redaction, JSON) is done by the log's writer thread ({@link AuditJson}).
 *
 * @param epochMillis      when the gateway took the request
 * @param requestId        {@code x-request-id}, or the id the gateway gave the request
 * @param tenant           the fairness id (tenant), or null when the request ended before it was identified
 * @param objective        the InferenceObjective, or null
 * @param priority         its priority
 * @param api              the API path ({@code /v1/chat/completions}, ...)
 * @param model            the model asked for, or null when the body was not read
 * @param stream           whether the client asked for a stream, or null when the body was not read
 * @param pool             the pool that served the model, or null
 * @param endpoint         the endpoint that answered (the last tried), or null
 * @param prefillEndpoint  a split request's prefill endpoint, or null
 * @param attempts         endpoints tried
 * @param endpoints        every endpoint the request (or its continuation) was sent to, in order
 * @param migrations       continuation legs of a migrated stream (0: not migrated)
 * @param decision         the scheduler's decision, or null
 * @param outcome          {@code ok}, {@code upstream_error}, {@code rejected}, {@code failed} or {@code cancelled}
 * @param status           the status the client got (499: it went away first)
 * @param upstreamStatus   the model server's status, or 0
 * @param errorType        the error's OpenAI type, or null
 * @param errorCode        the error's code, or null
 * @param errorMessage     why: the error message the client got, or null
 * @param guardrails       what the guardrails did ({@code redact:email}, {@code moderation:allowed}, ...)
 * @param promptTokens     the model server's count, else the gateway's, or -1
 * @param completionTokens tokens generated, or -1
 * @param cachedTokens     prompt tokens served from cache as the model server reports them, or -1
 * @param queueNanos       time in flow control's queue, or -1 (not queued)
 * @param ttftNanos        time to the first response byte, or -1
 * @param totalNanos       time to the end of the request
 * @param forwardedBody    the body as forwarded, for the prompt text (only with {@code includePrompt}), or null
 * @param bodyTruncated    the body was longer than {@code maxTextBytes}: no prompt text
 * @param response         the response bytes, for the completion text (only with {@code includeCompletion}), or null
 * @param responseSse      the response was an event stream
 * @param responseTruncated the response was longer than {@code maxTextBytes}: its text is cut short (stream) or absent
 */
public record AuditRecord(long epochMillis, String requestId, String tenant, String objective, int priority,
                          String api, String model, Boolean stream, String pool, String endpoint,
                          String prefillEndpoint, int attempts, List<String> endpoints, int migrations,
                          DecisionRecord decision, String outcome, int status,
                          int upstreamStatus, String errorType, String errorCode, String errorMessage,
                          List<String> guardrails, long promptTokens, long completionTokens, long cachedTokens,
                          long queueNanos, long ttftNanos, long totalNanos, byte[] forwardedBody,
                          boolean bodyTruncated, byte[] response, boolean responseSse, boolean responseTruncated) {

    public static final String OK = "ok";
    public static final String UPSTREAM_ERROR = "upstream_error";
    public static final String REJECTED = "rejected";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    /** The status recorded for a request whose client went away first (nginx's "client closed request"). */
    public static final int CLIENT_CLOSED = 499;

    /** Bytes held for text: what the log's byte bound counts. */
    public long capturedBytes() {
        return (forwardedBody == null ? 0 : forwardedBody.length) + (response == null ? 0 : response.length);
    }
}
