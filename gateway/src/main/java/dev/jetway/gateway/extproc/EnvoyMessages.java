package dev.jetway.gateway.extproc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.http.Responses;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.StreamedBodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.TrailersResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ext_proc messages of GIE's endpoint-picker protocol, built and read in one place: the names the protocol fixes,
 * the destination (header and {@code envoy.lb} dynamic metadata), the replies that only let a phase continue, the body
 * handed back in {@code FULL_DUPLEX_STREAMED} mode, and a local reply as an {@code ImmediateResponse}.
 */
final class EnvoyMessages {

    /** The header Envoy's original-destination cluster routes on: {@code ip:port[,ip:port...]}, primary first. */
    static final String DESTINATION_HEADER = "x-gateway-destination-endpoint";
    /** The dynamic-metadata namespace of the destination, and of the endpoint that served (Envoy to the picker). */
    static final String LB_NAMESPACE = "envoy.lb";
    static final String SERVED_KEY = "x-gateway-destination-endpoint-served";
    static final String SUBSET_NAMESPACE = "envoy.lb.subset_hint";
    static final String SUBSET_KEY = "x-gateway-destination-endpoint-subset";
    /** llm-d's largest body chunk per ext_proc message when it hands a body back (pkg/common/envoy/chunking.go). */
    static final int BODY_CHUNK_BYTES = 62_000;

    private static final ProcessingResponse CONTINUE_REQUEST_HEADERS = ProcessingResponse.newBuilder()
            .setRequestHeaders(HeadersResponse.getDefaultInstance()).build();
    private static final ProcessingResponse CONTINUE_REQUEST_BODY = ProcessingResponse.newBuilder()
            .setRequestBody(BodyResponse.getDefaultInstance()).build();
    private static final ProcessingResponse CONTINUE_RESPONSE_BODY = ProcessingResponse.newBuilder()
            .setResponseBody(BodyResponse.getDefaultInstance()).build();
    private static final ProcessingResponse REQUEST_TRAILERS = ProcessingResponse.newBuilder()
            .setRequestTrailers(TrailersResponse.getDefaultInstance()).build();
    private static final ProcessingResponse RESPONSE_TRAILERS = ProcessingResponse.newBuilder()
            .setResponseTrailers(TrailersResponse.getDefaultInstance()).build();

    private EnvoyMessages() {
    }

    /** A header's value: Envoy sends {@code raw_value} (newer) or {@code value} (older). */
    static String value(HeaderValue header) {
        ByteString raw = header.getRawValue();
        return raw.isEmpty() ? header.getValue() : raw.toStringUtf8();
    }

    /** Set (replacing whatever the client sent) {@code name: value}. */
    static HeaderValueOption set(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name)
                        .setRawValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }

    /** {@code {"envoy.lb": {"x-gateway-destination-endpoint": destination}}}. */
    static Struct destinationMetadata(String destination) {
        return Struct.newBuilder().putFields(LB_NAMESPACE, Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields(DESTINATION_HEADER, Value.newBuilder().setStringValue(destination).build())).build())
                .build();
    }

    /**
     * The routing answer as the request-headers reply ({@code FULL_DUPLEX_STREAMED}, or a request without a body) or
     * the request-body reply ({@code BUFFERED}: Envoy has held the headers until now): the header mutation, the route
     * cache cleared so the destination takes effect, and the same destination as dynamic metadata.
     */
    static ProcessingResponse route(boolean inBodyReply, HeaderMutation mutation, String destination) {
        CommonResponse common = CommonResponse.newBuilder().setHeaderMutation(mutation).setClearRouteCache(true)
                .build();
        ProcessingResponse.Builder b = ProcessingResponse.newBuilder()
                .setDynamicMetadata(destinationMetadata(destination));
        if (inBodyReply) {
            b.setRequestBody(BodyResponse.newBuilder().setResponse(common));
        } else {
            b.setRequestHeaders(HeadersResponse.newBuilder().setResponse(common));
        }
        return b.build();
    }

    /**
     * The routing answer as the request-body reply of {@code BUFFERED} mode with the body replaced by {@code body}
     * (a guardrail rewrote it).
     */
    static ProcessingResponse route(HeaderMutation mutation, String destination, ByteString body) {
        CommonResponse common = CommonResponse.newBuilder().setHeaderMutation(mutation).setClearRouteCache(true)
                .setBodyMutation(BodyMutation.newBuilder().setBody(body)).build();
        return ProcessingResponse.newBuilder().setDynamicMetadata(destinationMetadata(destination))
                .setRequestBody(BodyResponse.newBuilder().setResponse(common)).build();
    }

    static ProcessingResponse continueRequestHeaders() {
        return CONTINUE_REQUEST_HEADERS;
    }

    static ProcessingResponse continueRequestBody() {
        return CONTINUE_REQUEST_BODY;
    }

    static ProcessingResponse continueResponseBody() {
        return CONTINUE_RESPONSE_BODY;
    }

    static ProcessingResponse requestTrailers() {
        return REQUEST_TRAILERS;
    }

    static ProcessingResponse responseTrailers() {
        return RESPONSE_TRAILERS;
    }

    /** The response-headers reply, adding {@code headers} (plugins' response headers) to what the client gets. */
    static ProcessingResponse responseHeaders(Map<String, String> headers) {
        HeaderMutation.Builder mutation = HeaderMutation.newBuilder();
        headers.forEach((k, v) -> mutation.addSetHeaders(set(k, v)));
        return ProcessingResponse.newBuilder().setResponseHeaders(HeadersResponse.newBuilder()
                .setResponse(CommonResponse.newBuilder().setHeaderMutation(mutation))).build();
    }

    /** One piece of a body handed back in {@code FULL_DUPLEX_STREAMED} mode, request or response direction. */
    static ProcessingResponse streamed(boolean request, ByteString body, boolean endOfStream) {
        BodyResponse reply = BodyResponse.newBuilder().setResponse(CommonResponse.newBuilder()
                .setBodyMutation(BodyMutation.newBuilder().setStreamedResponse(StreamedBodyResponse.newBuilder()
                        .setBody(body).setEndOfStream(endOfStream)))).build();
        ProcessingResponse.Builder b = ProcessingResponse.newBuilder();
        return (request ? b.setRequestBody(reply) : b.setResponseBody(reply)).build();
    }

    /** The request body handed back in pieces of at most {@link #BODY_CHUNK_BYTES}, as Envoy forwards them. */
    static List<ProcessingResponse> streamedRequestBody(ByteString body, boolean endOfStream) {
        List<ProcessingResponse> out = new ArrayList<>(1 + body.size() / BODY_CHUNK_BYTES);
        if (body.isEmpty()) {
            out.add(streamed(true, body, endOfStream));
            return out;
        }
        for (int from = 0; from < body.size(); from += BODY_CHUNK_BYTES) {
            int to = Math.min(body.size(), from + BODY_CHUNK_BYTES);
            out.add(streamed(true, body.substring(from, to), endOfStream && to == body.size()));
        }
        return out;
    }

    /**
     * A local reply ({@link dev.jetway.gateway.path.LocalReply}) as Envoy sends it to the client: the status, the
     * OpenAI error body, and the headers the gateway would have set ({@code content-type},
     * {@code x-llm-d-request-dropped-reason}, {@code retry-after}).
     */
    static ProcessingResponse immediate(OpenAiError error) {
        HeaderMutation.Builder headers = HeaderMutation.newBuilder().addSetHeaders(set("content-type",
                "application/json"));
        if (error.dropReason() != null) {
            headers.addSetHeaders(set(Responses.DROPPED_REASON_HEADER, error.dropReason()));
        }
        if (error.retryAfterSeconds() > 0) {
            headers.addSetHeaders(set("retry-after", Long.toString(error.retryAfterSeconds())));
        }
        return ProcessingResponse.newBuilder().setImmediateResponse(ImmediateResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCodeValue(error.status()))
                .setHeaders(headers)
                .setBody(ByteString.copyFrom(error.toJson()))
                .setDetails("jetway_" + (error.code() != null ? error.code() : error.type())))
                .build();
    }

    /** A string field of a filter-metadata namespace, or null. */
    static Value metadataField(Metadata metadata, String namespace, String key) {
        Struct ns = metadata.getFilterMetadataMap().get(namespace);
        return ns == null ? null : ns.getFieldsMap().get(key);
    }
}
