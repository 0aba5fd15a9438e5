package dev.jetway.gateway.trace;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The span attributes the gateway sets: OpenTelemetry's HTTP semantic conventions (stable), the GenAI ones where
 * they fit (incubating, so written out here rather than taken from a semconv artifact), and Jetway's own under
 * {@code jetway.}. docs/operations.md ("Tracing") lists them by span.
 */
public final class TraceAttributes {

    private TraceAttributes() {
    }

    // HTTP semantic conventions
    public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
            AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    public static final AttributeKey<Long> HTTP_REQUEST_BODY_SIZE = AttributeKey.longKey("http.request.body.size");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    public static final AttributeKey<String> NETWORK_PROTOCOL_VERSION =
            AttributeKey.stringKey("network.protocol.version");
    public static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    // GenAI semantic conventions
    public static final AttributeKey<String> GEN_AI_OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    public static final AttributeKey<Long> GEN_AI_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> GEN_AI_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");

    // Jetway's own
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("jetway.request_id");
    public static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("jetway.stream");
    public static final AttributeKey<String> POOL = AttributeKey.stringKey("jetway.pool");
    public static final AttributeKey<String> OBJECTIVE = AttributeKey.stringKey("jetway.objective");
    public static final AttributeKey<Long> PRIORITY = AttributeKey.longKey("jetway.priority");
    public static final AttributeKey<String> FAIRNESS_ID = AttributeKey.stringKey("jetway.fairness_id");
    public static final AttributeKey<Double> QUEUE_SECONDS = AttributeKey.doubleKey("jetway.queue.duration_s");
    public static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("jetway.endpoint");
    public static final AttributeKey<List<String>> TARGETS = AttributeKey.stringArrayKey("jetway.targets");
    public static final AttributeKey<Long> CANDIDATES = AttributeKey.longKey("jetway.candidates");
    public static final AttributeKey<String> PROFILE = AttributeKey.stringKey("jetway.profile");
    public static final AttributeKey<String> PICKER = AttributeKey.stringKey("jetway.picker");
    public static final AttributeKey<String> PICK_REASON = AttributeKey.stringKey("jetway.pick_reason");
    public static final AttributeKey<Double> SCORE = AttributeKey.doubleKey("jetway.score");
    public static final AttributeKey<String> DECISION = AttributeKey.stringKey("jetway.decision");
    public static final AttributeKey<String> PD_DECISION = AttributeKey.stringKey("jetway.pd.decision");
    public static final AttributeKey<String> PREFILL_ENDPOINT = AttributeKey.stringKey("jetway.prefill_endpoint");
    public static final AttributeKey<String> DROPPED_REASON = AttributeKey.stringKey("jetway.dropped_reason");
    public static final AttributeKey<String> LEG = AttributeKey.stringKey("jetway.leg");
    public static final AttributeKey<Boolean> CLIENT_GONE = AttributeKey.booleanKey("jetway.client_disconnected");
    public static final AttributeKey<String> MODE = AttributeKey.stringKey("jetway.mode");

    /** The event on a leg's span (and, in endpoint-picker mode, the request's) when the response's first byte came. */
    public static final String FIRST_TOKEN_EVENT = "first_token";
}
