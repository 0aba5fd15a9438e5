package dev.jetway.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.jetway.scheduler.flow.FlowOutcome;
import dev.jetway.scheduler.spi.Rejection;
import java.nio.charset.StandardCharsets;

/**
 * An error as OpenAI-compatible clients expect it: {@code {"error":{"message","type","param","code"}}} with the HTTP
 * status that goes with it. {@code dropReason} is llm-d's {@code x-llm-d-request-dropped-reason} for sheds and
 * admission rejections; {@code retryAfterSeconds} (0 = none) becomes a {@code retry-after} header.
 */
public record OpenAiError(int status, String type, String message, String param, String code, String dropReason,
                          long retryAfterSeconds) {

    public OpenAiError {
        message = message == null ? "" : message;
    }

    public OpenAiError(int status, String type, String message, String param, String code, String dropReason) {
        this(status, type, message, param, code, dropReason, 0);
    }

    /** A tenant over its token-rate limit: 429 with {@code retry-after}. */
    public static OpenAiError tenantRateLimited(String tenant, long retryAfterSeconds) {
        return new OpenAiError(429, "rate_limit_error", "tenant " + tenant + " is over its token-rate limit; retry in "
                + retryAfterSeconds + " s", null, "rate_limit_exceeded", null, retryAfterSeconds);
    }

    /** No API key, or one that is not valid: 401 (answered with {@code www-authenticate: Bearer}). */
    public static OpenAiError unauthorized(String message, String code) {
        return new OpenAiError(401, "invalid_request_error", message, null, code, null);
    }

    /** A valid key that may not do this: 403. */
    public static OpenAiError forbidden(String message, String code) {
        return new OpenAiError(403, "permission_error", message, null, code, null);
    }

    public static OpenAiError badRequest(String message, String param) {
        return new OpenAiError(400, "invalid_request_error", message, param, null, null);
    }

    /** A guardrail refused the request's content ({@code guardrails} deny rules, the moderation check). */
    public static OpenAiError contentPolicy(String reason) {
        return new OpenAiError(400, "invalid_request_error", reason, null, "content_policy_violation", null);
    }

    /** The tenant may not use the model ({@code guardrails} models allow-list). */
    public static OpenAiError modelNotAllowed(String tenant, String model) {
        return new OpenAiError(403, "permission_error", "tenant " + tenant + " may not use model " + model, "model",
                "model_not_allowed", null);
    }

    /** A request over one of the tenant's limits ({@code guardrails} maxTokens, maxPromptTokens). */
    public static OpenAiError overLimit(String message, String param, String code) {
        return new OpenAiError(400, "invalid_request_error", message, param, code, null);
    }

    /** The moderation check gave no verdict and the gateway is told to refuse what it cannot check. */
    public static OpenAiError guardrailUnavailable(String why) {
        return new OpenAiError(503, "service_unavailable", "the content check is unavailable (" + why
                + ") and requests it cannot check are refused", null, "guardrail_unavailable", null);
    }

    public static OpenAiError notFound(String message, String code) {
        return new OpenAiError(404, "invalid_request_error", message, null, code, null);
    }

    public static OpenAiError methodNotAllowed(String method, String path) {
        return new OpenAiError(405, "invalid_request_error", method + " is not allowed on " + path, null, null, null);
    }

    public static OpenAiError tooLarge(long limit) {
        return new OpenAiError(413, "invalid_request_error",
                "request body is larger than the gateway's limit of " + limit + " bytes", null, "request_too_large", null);
    }

    /** The request head (request line and headers) did not arrive whole in time. */
    public static OpenAiError headTimeout(java.time.Duration limit) {
        return new OpenAiError(408, "invalid_request_error", "the request head did not arrive within "
                + limit.toMillis() + " ms", null, "request_timeout", null);
    }

    /** The request's headers are larger than the gateway takes. */
    public static OpenAiError headersTooLarge(int limit) {
        return new OpenAiError(431, "invalid_request_error", "request headers are larger than the gateway's limit "
                + "of " + limit + " bytes", null, "request_header_fields_too_large", null);
    }

    /** The request line (method, target, version) is longer than the gateway takes. */
    public static OpenAiError requestLineTooLong(int limit) {
        return new OpenAiError(414, "invalid_request_error", "the request line is longer than the gateway's limit "
                + "of " + limit + " bytes", null, "uri_too_long", null);
    }

    /** The gateway is draining for shutdown and takes no new request. */
    public static OpenAiError shuttingDown() {
        return new OpenAiError(503, "service_unavailable", "the gateway is shutting down and takes no new "
                + "requests; retry on another replica", null, "shutting_down", null, 1);
    }

    /** The gateway's drain time ran out while the request was still running. */
    public static OpenAiError drainTimedOut(java.time.Duration drainTimeout) {
        return new OpenAiError(503, "service_unavailable", "the gateway shut down: the request was still running "
                + "when its drain time (" + drainTimeout.toMillis() + " ms) ran out", null, "shutting_down", null);
    }

    public static OpenAiError unsupportedMediaType(String contentType) {
        return new OpenAiError(415, "invalid_request_error",
                "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType), null, null, null);
    }

    public static OpenAiError shed(String message, String dropReason) {
        return new OpenAiError(429, "rate_limit_error", message, null, "rate_limit_exceeded", dropReason);
    }

    /** A scheduler admitter refused the request (e.g. {@code latency-slo-admitter}): its status and dropped reason. */
    public static OpenAiError rejected(Rejection rejection) {
        if (rejection.status() == 429) {
            return shed(rejection.message(), rejection.droppedReason());
        }
        return new OpenAiError(rejection.status(), rejection.status() >= 500 ? "service_unavailable"
                : "invalid_request_error", rejection.message(), null, "request_rejected", rejection.droppedReason());
    }

    /** Flow control did not let the request through, or stopped it: the outcome's status and dropped reason. */
    public static OpenAiError flowControl(FlowOutcome outcome) {
        String message = switch (outcome) {
            case CAPACITY -> "flow control queue is full, request dropped";
            case DISPLACED -> "flow control queue is full: the request gave its place to a tenant with fewer queued";
            case CAPACITY_NO_ENDPOINTS, TTL_EXPIRED_NO_ENDPOINTS -> "the pool has no endpoints to serve the request";
            case TTL_EXPIRED -> "the request waited in flow control longer than its time to live";
            case CONTEXT_CANCELLED -> "the client went away while the request waited";
            case SHUTTING_DOWN, SHUT_DOWN -> "the gateway is shutting down";
            case EVICTED_PRIORITY -> "the request was stopped to make room for more important requests";
        };
        if (outcome.httpStatus() == 429) {
            return shed(message, outcome.droppedReason());
        }
        return new OpenAiError(outcome.httpStatus(), "service_unavailable", message, null, "request_rejected",
                outcome.droppedReason());
    }

    public static OpenAiError noEndpoint(String message) {
        return new OpenAiError(503, "service_unavailable", message, null, "no_ready_endpoint", null);
    }

    public static OpenAiError badGateway(String message) {
        return new OpenAiError(502, "upstream_error", message, null, "upstream_failure", null);
    }

    public static OpenAiError gatewayTimeout(String message) {
        return new OpenAiError(504, "upstream_error", message, null, "upstream_timeout", null);
    }

    /**
     * A model server's own refusal, as its status and message: vLLM answers {@code {"object":"error","message",
     * "type","param","code"}}, OpenAI {@code {"error":{...}}}; anything else is quoted (shortened) as the message.
     */
    public static OpenAiError fromUpstream(int status, byte[] body, String prefix) {
        String message = null;
        String type = "upstream_error";
        String param = null;
        try {
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            var error = root.has("error") && root.get("error").isObject() ? root.get("error") : root;
            if (error.hasNonNull("message")) {
                message = error.get("message").asText();
                type = error.hasNonNull("type") ? error.get("type").asText() : type;
                param = error.hasNonNull("param") ? error.get("param").asText() : null;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: quoted below
        }
        if (message == null) {
            String text = new String(body, StandardCharsets.UTF_8);
            message = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        }
        return new OpenAiError(status, type, prefix + message, param, null, null);
    }

    public static OpenAiError internal(String message) {
        return new OpenAiError(500, "internal_error", message, null, null, null);
    }

    /** The JSON body, built by hand: it is small, and errors must never fail to serialize. */
    public byte[] toJson() {
        StringBuilder sb = new StringBuilder(96 + message.length());
        sb.append("{\"error\":{\"message\":");
        quote(sb, message);
        sb.append(",\"type\":");
        quote(sb, type);
        sb.append(",\"param\":");
        quote(sb, param);
        sb.append(",\"code\":");
        quote(sb, code);
        sb.append("}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The terminal event of a stream that failed after its first byte. */
    public byte[] toSseEvent() {
        byte[] json = toJson();
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    private static void quote(StringBuilder sb, String value) {
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, sb);
        sb.append('"');
    }
}
