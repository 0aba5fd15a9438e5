package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

/** A leg's client span (HTTP client semantic conventions: 4xx and 5xx are errors of the call). */
final class TracedLeg implements LegTrace {

    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";

    private final Span span;
    private boolean ended;

    TracedLeg(Span span) {
        this.span = span;
    }

    @Override
    public void inject(HttpHeaders headers) {
        // the client's context is this span's ancestor, never the model server's parent
        headers.remove(TRACEPARENT);
        headers.remove(TRACESTATE);
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, HeaderCarrier.INSTANCE);
    }

    @Override
    public void responded(int status) {
        if (ended || !span.isRecording()) {
            return;
        }
        span.setAttribute(TraceAttributes.HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 400) {
            span.setAttribute(TraceAttributes.ERROR_TYPE, Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        }
    }

    @Override
    public void firstToken() {
        if (!ended) {
            span.addEvent(TraceAttributes.FIRST_TOKEN_EVENT);
        }
    }

    @Override
    public void failed(OpenAiError error) {
        if (ended) {
            return;
        }
        if (span.isRecording()) {
            span.setAttribute(TraceAttributes.ERROR_TYPE, TracedRequest.errorType(error));
            span.setStatus(StatusCode.ERROR, error.message());
        }
        end();
    }

    @Override
    public void end() {
        if (!ended) {
            ended = true;
            span.end();
        }
    }
}
