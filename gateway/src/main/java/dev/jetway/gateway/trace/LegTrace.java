package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One request from the gateway to a model server (a prefill leg, a decode leg, or the request itself; each failover
 * attempt its own): a client span. The exchange carrying it reports what happens; {@link #NONE} when tracing is off.
 * Every method is safe to call after the leg ended (it then does nothing).
 */
public sealed interface LegTrace permits UntracedLeg, TracedLeg {

    LegTrace NONE = UntracedLeg.INSTANCE;

    /**
     * Puts this leg's trace context into the model server's request headers: {@code traceparent} (its parent is this
     * span) and {@code tracestate}, replacing whatever the client sent under those names.
     */
    void inject(HttpHeaders headers);

    /** The model server's response status. */
    void responded(int status);

    /** The response's first body byte: the {@code first_token} event. */
    void firstToken();

    /** The leg failed (connect error, reset, timeout, 5xx to retry): the span ends with the error. */
    void failed(OpenAiError error);

    /** The leg is over. */
    void end();
}
