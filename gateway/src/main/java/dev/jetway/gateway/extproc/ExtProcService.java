package dev.jetway.gateway.extproc;

import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;

/**
 * {@code envoy.service.ext_proc.v3.ExternalProcessor}: each {@code Process} call is one HTTP request through Envoy,
 * handled by its own {@link ExtProcStream} on one of the picker's event loops, taken in turn. Not on the gRPC
 * transport thread that read it: Envoy multiplexes its streams over a few HTTP/2 connections (one per Envoy worker),
 * and parsing, tokenizing and scheduling on their threads would leave the picker's other cores idle.
 */
final class ExtProcService extends ExternalProcessorGrpc.ExternalProcessorImplBase {

    private final ExtProcContext context;
    private final EventLoopGroup loops;

    ExtProcService(ExtProcContext context, EventLoopGroup loops) {
        this.context = context;
        this.loops = loops;
    }

    @Override
    public StreamObserver<ProcessingRequest> process(StreamObserver<ProcessingResponse> responses) {
        return new ExtProcStream(context, (ServerCallStreamObserver<ProcessingResponse>) responses, loops.next());
    }
}
