package dev.jetway.gateway.extproc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.Value;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.path.ClientSide;
import dev.jetway.gateway.path.EndpointSubset;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.LocalReply;
import dev.jetway.gateway.path.SplitLeg;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.scheduler.Endpoint;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Envoy ext_proc stream: one HTTP request through Envoy, as GIE's endpoint-picker protocol runs it. The request
 * side assembles the headers and body ({@link BodyMode}), runs the request path ({@code RequestPath.endpointPicker}:
 * the gateway's stages and {@link RouteStage}) with this stream as its {@link ClientSide}, and answers with the
 * destination or, through {@link LocalReply}, an {@code ImmediateResponse}; the response side reports the status, the
 * endpoint that served and the body chunks to the request's {@link ExtProcExchange}, and hands every message back as
 * the body mode requires. Requests without a body, or for a path that is not an inference API, go to a random ready
 * endpoint without scheduling (llm-d's fallback for them).
 *
 * <p>gRPC delivers messages on its transport threads; each one is handed to the stream's event loop, where all of
 * the stream's state, its request and its replies live.
 */
final class ExtProcStream implements StreamObserver<ProcessingRequest>, ClientSide {

    private static final Logger log = LoggerFactory.getLogger(ExtProcStream.class);

    private enum Phase {
        /** Waiting for the request headers. */
        HEADERS,
        /** Collecting the request body. */
        BODY,
        /** The request path runs (or waits: flow control, a tokenizer call); Envoy waits for the answer. */
        ROUTING,
        /** Answered with a destination; the response goes by. */
        ROUTED,
        DONE
    }

    private final ExtProcContext shared;
    private final ServerCallStreamObserver<ProcessingResponse> responses;
    private final EventExecutor loop;

    private Phase phase = Phase.HEADERS;
    private boolean responsesClosed;
    private BodyMode requestMode;
    private BodyMode responseMode;
    private RequestHead head;
    private ApiKind kind;
    private EndpointSubset subset;
    private long startNanos;
    private byte[] body = EMPTY;
    private int bodyLength;
    private boolean bodyEndOfStream;
    private boolean requestTrailers;
    private long bodyCompleteNanos;
    private GatewayRequest request;
    private ExtProcExchange exchange;
    /** Routed to a random endpoint without scheduling: the response is only handed back. */
    private boolean passthrough;
    private int responseStatus;
    /** Envoy closed or cancelled the stream: nothing it would read is sent any more. */
    private boolean envoyClosed;
    private String outcome;
    private boolean outcomeRecorded;

    private static final byte[] EMPTY = new byte[0];

    ExtProcStream(ExtProcContext shared, ServerCallStreamObserver<ProcessingResponse> responses, EventExecutor loop) {
        this.shared = shared;
        this.responses = responses;
        this.loop = loop;
        // a cancelled stream must not make our later replies throw; the cancellation itself arrives as onError
        responses.setOnCancelHandler(() -> loop.execute(() -> closed(false)));
    }

    // ---- gRPC callbacks (transport threads) ----

    @Override
    public void onNext(ProcessingRequest message) {
        loop.execute(() -> handle(message));
    }

    @Override
    public void onError(Throwable t) {
        loop.execute(() -> closed(false));
    }

    @Override
    public void onCompleted() {
        loop.execute(() -> closed(true));
    }

    // ---- the protocol (event loop) ----

    private void handle(ProcessingRequest message) {
        if (phase == Phase.DONE) {
            return; // an ImmediateResponse went out: Envoy ignores us from now on, and we it
        }
        try {
            switch (message.getRequestCase()) {
                case REQUEST_HEADERS -> requestHeaders(message);
                case REQUEST_BODY -> requestBody(message.getRequestBody(), message.getMetadataContext());
                case REQUEST_TRAILERS -> requestTrailers();
                case RESPONSE_HEADERS -> responseHeaders(message);
                case RESPONSE_BODY -> responseBody(message.getResponseBody());
                case RESPONSE_TRAILERS -> responseTrailers();
                case REQUEST_NOT_SET -> protocolError("a ProcessingRequest without a request or response part");
            }
        } catch (RuntimeException e) {
            log.error("ext_proc stream failed on {}", message.getRequestCase(), e);
            if (phase == Phase.HEADERS || phase == Phase.BODY) {
                LocalReply.send(this, OpenAiError.internal("endpoint picker failed (logged)"),
                        shared.metrics(), "");
            } else {
                protocolError("endpoint picker failed: " + e);
            }
        }
    }

    private void requestHeaders(ProcessingRequest message) {
        if (phase != Phase.HEADERS) {
            protocolError("request headers arrived twice");
            return;
        }
        startNanos = System.nanoTime();
        requestMode = BodyMode.request(message);
        responseMode = BodyMode.response(message);
        HttpHeaders headers = message.getRequestHeaders();
        head = RequestHead.of(headers);
        if (!readSubset(message.getMetadataContext())) {
            return;
        }
        if (requestMode == BodyMode.UNSUPPORTED) {
            LocalReply.send(this, OpenAiError.internal("the endpoint picker needs the request body before it can "
                    + "route: configure Envoy's ext_proc request_body_mode FULL_DUPLEX_STREAMED (or BUFFERED), not "
                    + message.getProtocolConfig().getRequestBodyMode()), shared.metrics(), "");
            return;
        }
        kind = ApiKind.ofPath(head.path());
        if (head.endOfStream() || requestMode == BodyMode.NONE || kind == null) {
            routeWithoutScheduling();
            return;
        }
        if (requestMode == BodyMode.BUFFERED) {
            // Envoy waits for this before it sends the body; the destination goes with the body reply
            send(EnvoyMessages.continueRequestHeaders());
        }
        phase = Phase.BODY;
    }

    /** The subset hint, when Envoy sends one: only those endpoints may be picked. False when it was malformed. */
    private boolean readSubset(Metadata metadata) {
        Value hint = EnvoyMessages.metadataField(metadata, EnvoyMessages.SUBSET_NAMESPACE, EnvoyMessages.SUBSET_KEY);
        if (hint == null) {
            return true;
        }
        Set<String> entries = new HashSet<>();
        switch (hint.getKindCase()) {
            case LIST_VALUE -> {
                for (Value v : hint.getListValue().getValuesList()) {
                    if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
                        LocalReply.send(this, OpenAiError.internal("the data plane's endpoint subset hint holds a "
                                + v.getKindCase() + ", not ip:port strings"), shared.metrics(), "");
                        return false;
                    }
                    entries.add(v.getStringValue().trim());
                }
            }
            // a comma-separated string, as the destination header is written
            case STRING_VALUE -> Arrays.stream(hint.getStringValue().split(",")).map(String::trim)
                    .filter(s -> !s.isEmpty()).forEach(entries::add);
            default -> {
                LocalReply.send(this, OpenAiError.internal("the data plane's endpoint subset hint is a "
                        + hint.getKindCase() + ", not a list of ip:port"), shared.metrics(), "");
                return false;
            }
        }
        // GIE: an empty subset leaves nothing eligible
        subset = new EndpointSubset(entries);
        return true;
    }

    private void requestBody(HttpBody chunk, Metadata metadata) {
        switch (phase) {
            case BODY -> {
                if (subset == null && !readSubset(metadata)) {
                    return;
                }
                if (!append(chunk.getBody())) {
                    return;
                }
                // BUFFERED sends the whole body in one message (BUFFERED_PARTIAL: as much as Envoy holds)
                if (requestMode == BodyMode.BUFFERED || chunk.getEndOfStream()) {
                    bodyEndOfStream = chunk.getEndOfStream() || requestMode == BodyMode.BUFFERED;
                    startPath();
                }
            }
            case ROUTED -> {
                if (!passthrough) {
                    protocolError("request body after the request was routed");
                } else if (requestMode == BodyMode.FULL_DUPLEX) {
                    send(EnvoyMessages.streamed(true, chunk.getBody(), chunk.getEndOfStream()));
                } else {
                    send(EnvoyMessages.continueRequestBody());
                }
            }
            default -> protocolError("request body in phase " + phase);
        }
    }

    private boolean append(ByteString chunk) {
        int n = chunk.size();
        if ((long) bodyLength + n > shared.maxBodyBytes()) {
            LocalReply.send(this, OpenAiError.tooLarge(shared.maxBodyBytes()), shared.metrics(), "");
            return false;
        }
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(bodyLength + n, Math.min(shared.maxBodyBytes(), body.length * 2)));
        }
        chunk.copyTo(body, bodyLength);
        bodyLength += n;
        return true;
    }

    private void requestTrailers() {
        switch (phase) {
            case BODY -> {
                // trailers end the body (FULL_DUPLEX_STREAMED sends them after the last chunk instead of end_of_stream)
                requestTrailers = true;
                bodyEndOfStream = false;
                startPath();
            }
            case ROUTING -> requestTrailers = true; // answered after the routing answer, in order
            case ROUTED -> send(EnvoyMessages.requestTrailers());
            default -> protocolError("request trailers in phase " + phase);
        }
    }

    /** The request is complete: down the request path, with this stream as the side it answers on. */
    private void startPath() {
        phase = Phase.ROUTING;
        bodyCompleteNanos = System.nanoTime();
        FullHttpRequest http = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(head.method()),
                head.uri(), Unpooled.wrappedBuffer(body, 0, bodyLength), head.headers(), EmptyHttpHeaders.INSTANCE);
        request = shared.path().newRequest(this, http, kind, startNanos);
        request.subset(subset);
        shared.path().start(request);
    }

    /** The route stage's decision: answer Envoy, hand the body back, and watch the response. */
    void routed(ExtProcExchange routedExchange) {
        if (phase != Phase.ROUTING) {
            request.end(false); // the stream closed while the path ran
            return;
        }
        exchange = routedExchange;
        exchange.charge();
        String destination = exchange.destination();
        HeaderMutation.Builder mutation = HeaderMutation.newBuilder()
                .addSetHeaders(EnvoyMessages.set(EnvoyMessages.DESTINATION_HEADER, destination));
        SplitLeg split = exchange.split();
        if (split != null && split.sidecar()) {
            mutation.addSetHeaders(EnvoyMessages.set(SplitLeg.PREFILLER_HEADER, split.prefill().address()));
        } else {
            // only the picker names a prefill endpoint: a client's own value must not reach the decode sidecar
            mutation.addRemoveHeaders(SplitLeg.PREFILLER_HEADER);
        }
        // a guardrail's redaction replaced the body: Envoy forwards the new one
        ByteString forwarded = request.bodyReplaced()
                ? UnsafeByteOperations.unsafeWrap(io.netty.buffer.ByteBufUtil.getBytes(request.http().content()))
                : null;
        if (requestMode == BodyMode.FULL_DUPLEX) {
            // Envoy drops content-length in this mode; the body goes back whole, so its length is known
            ByteString out = forwarded != null ? forwarded : UnsafeByteOperations.unsafeWrap(body, 0, bodyLength);
            mutation.addSetHeaders(EnvoyMessages.set("content-length", Integer.toString(out.size())));
            send(EnvoyMessages.route(false, mutation.build(), destination));
            for (ProcessingResponse piece : EnvoyMessages.streamedRequestBody(out, bodyEndOfStream)) {
                send(piece);
            }
        } else if (forwarded != null) {
            mutation.addSetHeaders(EnvoyMessages.set("content-length", Integer.toString(forwarded.size())));
            send(EnvoyMessages.route(mutation.build(), destination, forwarded));
        } else {
            send(EnvoyMessages.route(true, mutation.build(), destination));
        }
        if (requestTrailers) {
            send(EnvoyMessages.requestTrailers());
        }
        shared.eppMetrics().decided(System.nanoTime() - bodyCompleteNanos);
        phase = Phase.ROUTED;
        outcome = "routed";
        // gRPC has serialized the replies: nothing reads the body again, and the response may run for minutes
        body = EMPTY;
        request.releaseBody();
    }

    /** No body to route on, or not an inference API: a random ready endpoint, as llm-d does. */
    private void routeWithoutScheduling() {
        List<Endpoint> candidates = new ArrayList<>();
        for (GatewayPool pool : shared.routing().table().pools()) {
            candidates.addAll(pool.readyCandidates());
        }
        if (subset != null) {
            candidates = subset.filter(candidates);
        }
        if (candidates.isEmpty()) {
            LocalReply.send(this, OpenAiError.noEndpoint(subset == null ? "no ready endpoint"
                    : "no endpoint of the subset hint " + subset.entries() + " is ready"), shared.metrics(), "");
            return;
        }
        String destination = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())).address();
        HeaderMutation mutation = HeaderMutation.newBuilder()
                .addSetHeaders(EnvoyMessages.set(EnvoyMessages.DESTINATION_HEADER, destination))
                .addRemoveHeaders(SplitLeg.PREFILLER_HEADER).build();
        send(EnvoyMessages.route(false, mutation, destination));
        shared.eppMetrics().passthrough();
        passthrough = true;
        phase = Phase.ROUTED;
        outcome = "passthrough";
    }

    private void responseHeaders(ProcessingRequest message) {
        if (phase != Phase.ROUTED) {
            protocolError("response headers in phase " + phase);
            return;
        }
        HttpHeaders headers = message.getResponseHeaders();
        String served = null;
        String contentType = null;
        for (HeaderValue h : headers.getHeaders().getHeadersList()) {
            switch (h.getKey()) {
                case ":status" -> responseStatus = parseStatus(EnvoyMessages.value(h));
                case "content-type" -> contentType = EnvoyMessages.value(h);
                case EnvoyMessages.SERVED_KEY -> served = EnvoyMessages.value(h);
                default -> {
                }
            }
        }
        Value reported = EnvoyMessages.metadataField(message.getMetadataContext(), EnvoyMessages.LB_NAMESPACE,
                EnvoyMessages.SERVED_KEY);
        if (reported != null && reported.getKindCase() == Value.KindCase.STRING_VALUE) {
            served = reported.getStringValue(); // the data plane's own report wins over a header
        }
        if (passthrough) {
            send(EnvoyMessages.responseHeaders(Map.of()));
            return;
        }
        boolean eventStream = contentType != null && contentType.startsWith("text/event-stream");
        send(EnvoyMessages.responseHeaders(exchange.responseHeaders(responseStatus, served, eventStream)));
        if (headers.getEndOfStream()) {
            exchange.finish(responseStatus > 0 && responseStatus < 400);
        }
    }

    private static int parseStatus(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void responseBody(HttpBody chunk) {
        if (phase != Phase.ROUTED) {
            protocolError("response body in phase " + phase);
            return;
        }
        // hand the bytes back first: the client is waiting for them, the hooks are not
        if (responseMode == BodyMode.FULL_DUPLEX) {
            send(EnvoyMessages.streamed(false, chunk.getBody(), chunk.getEndOfStream()));
        } else {
            send(EnvoyMessages.continueResponseBody());
        }
        if (!passthrough) {
            exchange.responseBody(chunk.getBody(), chunk.getEndOfStream());
        }
    }

    private void responseTrailers() {
        if (phase != Phase.ROUTED) {
            protocolError("response trailers in phase " + phase);
            return;
        }
        send(EnvoyMessages.responseTrailers());
        if (!passthrough) {
            exchange.finish(responseStatus > 0 && responseStatus < 400);
        }
    }

    /** Envoy closed the stream ({@code halfClose}), or it was cancelled or lost. */
    private void closed(boolean halfClose) {
        envoyClosed = true;
        switch (phase) {
            case HEADERS, BODY -> outcome = outcome != null ? outcome : "cancelled";
            case ROUTING -> {
                outcome = "cancelled";
                phase = Phase.DONE;
                request.clientGone(); // out of the flow-control queue at once; the request ends
            }
            case ROUTED -> {
                if (exchange != null && !exchange.isFinished()) {
                    if (responseMode == BodyMode.NONE && responseStatus > 0) {
                        // Envoy sends no response body: the stream's end is the response's
                        exchange.finish(responseStatus < 400);
                    } else {
                        shared.metrics().clientDisconnect();
                        exchange.cancelled();
                    }
                }
            }
            case DONE -> {
            }
        }
        phase = Phase.DONE;
        body = EMPTY;
        if (halfClose) {
            completeResponses();
        } else {
            responsesClosed = true;
        }
        recordOutcome();
    }

    // ---- ClientSide: how the request path answers through this stream ----

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public void sendError(OpenAiError error) {
        send(EnvoyMessages.immediate(error));
        if (outcome == null) {
            outcome = "local_reply";
        }
        phase = Phase.DONE;
        body = EMPTY;
        completeResponses();
        recordOutcome();
    }

    @Override
    public void ended(boolean reuse) {
        // the stream lives on until Envoy closes it (the response phase) or has already been answered
    }

    /** Flow control stops this running sheddable request: Envoy answers the client 429 and resets the upstream. */
    @Override
    public void evict(OpenAiError error) {
        if (phase != Phase.ROUTED || exchange == null || exchange.isFinished()) {
            return;
        }
        outcome = "evicted";
        exchange.failed(error);
        LocalReply.send(this, error, shared.metrics(), request.modelLabel());
    }

    // ---- replies ----

    private void send(ProcessingResponse response) {
        if (responsesClosed || envoyClosed) {
            return;
        }
        try {
            responses.onNext(response);
        } catch (RuntimeException e) {
            // cancelled under us: the close arrives as onError
            log.debug("ext_proc reply not sent: {}", e.toString());
            responsesClosed = true;
        }
    }

    private void completeResponses() {
        if (!responsesClosed) {
            responsesClosed = true;
            try {
                responses.onCompleted();
            } catch (RuntimeException e) {
                log.debug("ext_proc stream not completed: {}", e.toString());
            }
        }
    }

    private void protocolError(String message) {
        log.warn("ext_proc protocol error: {}", message);
        if (exchange != null && !exchange.isFinished()) {
            exchange.failed(OpenAiError.internal("ext_proc protocol error: " + message));
        } else if (phase == Phase.ROUTING) {
            request.clientGone();
        }
        phase = Phase.DONE;
        outcome = "protocol_error";
        if (!responsesClosed) {
            responsesClosed = true;
            try {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException());
            } catch (RuntimeException e) {
                log.debug("ext_proc stream not failed: {}", e.toString());
            }
        }
        recordOutcome();
    }

    private void recordOutcome() {
        if (outcome != null && !outcomeRecorded) {
            outcomeRecorded = true;
            shared.eppMetrics().stream(outcome);
        }
    }
}
