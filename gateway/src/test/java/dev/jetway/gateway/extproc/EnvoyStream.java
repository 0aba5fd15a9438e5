package dev.jetway.gateway.extproc;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpTrailers;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProtocolConfiguration;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One ext_proc stream driven the way Envoy's ext_proc filter drives it, through Envoy's generated client stub: the
 * first message carries the protocol configuration, headers carry lower-case names with {@code raw_value}, the body
 * comes in one message (BUFFERED) or in chunks ({@code FULL_DUPLEX_STREAMED}), the response follows once the picker
 * answered. Replies are queued for the test to read in order.
 */
final class EnvoyStream implements AutoCloseable {

    final BlockingQueue<ProcessingResponse> replies = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile Throwable error;
    private final StreamObserver<ProcessingRequest> out;
    private final BodySendMode requestMode;
    private final BodySendMode responseMode;
    private boolean first = true;

    EnvoyStream(ManagedChannel channel, BodySendMode requestMode, BodySendMode responseMode) {
        this.requestMode = requestMode;
        this.responseMode = responseMode;
        this.out = ExternalProcessorGrpc.newStub(channel).process(new StreamObserver<>() {
            @Override
            public void onNext(ProcessingResponse value) {
                replies.add(value);
            }

            @Override
            public void onError(Throwable t) {
                error = t;
                closed.countDown();
            }

            @Override
            public void onCompleted() {
                closed.countDown();
            }
        });
    }

    static Map<String, String> post(String path) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(":method", "POST");
        h.put(":path", path);
        h.put(":authority", "gateway.example");
        h.put(":scheme", "http");
        h.put("content-type", "application/json");
        return h;
    }

    /** Metadata carrying Envoy's subset hint. */
    static Metadata subset(String... endpoints) {
        ListValue.Builder list = ListValue.newBuilder();
        for (String e : endpoints) {
            list.addValues(Value.newBuilder().setStringValue(e));
        }
        return Metadata.newBuilder().putFilterMetadata(EnvoyMessages.SUBSET_NAMESPACE, Struct.newBuilder()
                .putFields(EnvoyMessages.SUBSET_KEY, Value.newBuilder().setListValue(list).build()).build()).build();
    }

    /** Metadata with the endpoint that served, as the data plane reports it on the response. */
    static Metadata served(String endpoint) {
        return Metadata.newBuilder().putFilterMetadata(EnvoyMessages.LB_NAMESPACE, Struct.newBuilder()
                .putFields(EnvoyMessages.SERVED_KEY, Value.newBuilder().setStringValue(endpoint).build()).build())
                .build();
    }

    private ProcessingRequest.Builder message(Metadata metadata) {
        ProcessingRequest.Builder b = ProcessingRequest.newBuilder();
        if (first) {
            first = false;
            b.setProtocolConfig(ProtocolConfiguration.newBuilder().setRequestBodyMode(requestMode)
                    .setResponseBodyMode(responseMode));
        }
        if (metadata != null) {
            b.setMetadataContext(metadata);
        }
        return b;
    }

    private static HttpHeaders headers(Map<String, String> headers, boolean endOfStream) {
        HeaderMap.Builder map = HeaderMap.newBuilder();
        headers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder().setKey(k)
                .setRawValue(ByteString.copyFromUtf8(v))));
        return HttpHeaders.newBuilder().setHeaders(map).setEndOfStream(endOfStream).build();
    }

    void requestHeaders(Map<String, String> headers, boolean endOfStream, Metadata metadata) {
        out.onNext(message(metadata).setRequestHeaders(headers(headers, endOfStream)).build());
    }

    void requestBody(String chunk, boolean endOfStream) {
        out.onNext(message(null).setRequestBody(HttpBody.newBuilder()
                .setBody(ByteString.copyFromUtf8(chunk)).setEndOfStream(endOfStream)).build());
    }

    void requestTrailers() {
        out.onNext(message(null).setRequestTrailers(HttpTrailers.getDefaultInstance()).build());
    }

    void responseHeaders(int status, String contentType, Metadata metadata, boolean endOfStream) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(":status", Integer.toString(status));
        h.put("content-type", contentType);
        out.onNext(message(metadata).setResponseHeaders(headers(h, endOfStream)).build());
    }

    void responseBody(String chunk, boolean endOfStream) {
        out.onNext(message(null).setResponseBody(HttpBody.newBuilder()
                .setBody(ByteString.copyFromUtf8(chunk)).setEndOfStream(endOfStream)).build());
    }

    /** Envoy is done with the stream (the request is over). */
    void complete() {
        out.onCompleted();
    }

    /** The client went away: Envoy resets the stream. */
    void cancel() {
        out.onError(io.grpc.Status.CANCELLED.asRuntimeException());
    }

    ProcessingResponse next() throws InterruptedException {
        ProcessingResponse r = replies.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no ext_proc reply within 10 s" + (error != null ? " (stream failed: " + error
                    + ")" : ""));
        }
        return r;
    }

    ProcessingResponse poll(long millis) throws InterruptedException {
        return replies.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The headers a reply's common response sets, by name. */
    static Map<String, String> setHeaders(CommonResponse common) {
        return setHeaders(common.getHeaderMutation().getSetHeadersList());
    }

    static Map<String, String> setHeaders(List<HeaderValueOption> options) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HeaderValueOption o : options) {
            out.put(o.getHeader().getKey(), o.getHeader().getRawValue().toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** {@code dynamic_metadata["envoy.lb"]["x-gateway-destination-endpoint"]}, or null. */
    static String metadataDestination(ProcessingResponse r) {
        Value ns = r.getDynamicMetadata().getFieldsMap().get(EnvoyMessages.LB_NAMESPACE);
        if (ns == null) {
            return null;
        }
        Value v = ns.getStructValue().getFieldsMap().get(EnvoyMessages.DESTINATION_HEADER);
        return v == null ? null : v.getStringValue();
    }

    @Override
    public void close() {
        try {
            out.onCompleted();
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
