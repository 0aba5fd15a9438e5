package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import io.netty.util.concurrent.EventExecutor;

/**
 * The side a request came from and is answered on: an HTTP client connection ({@link HttpClientSide}) in the gateway,
 * or an Envoy ext_proc stream in endpoint-picker mode. The request path needs three things of it: the thread the
 * request is confined to, where its one local reply goes, and to hear when the request is over.
 */
public interface ClientSide {

    /** The event loop the request's path runs on: a stage whose work comes back elsewhere resumes here. */
    EventExecutor executor();

    /**
     * Writes {@code error} as the request's answer ({@link LocalReply} counts it first). Called on the executor, at
     * most once per request, before anything else was answered.
     */
    void sendError(OpenAiError error);

    /** The request is over; {@code reuse}: whether the client's connection may take its next request. */
    void ended(boolean reuse);

    /**
     * Flow control stops this running sheddable request for a more important one. Nothing here for an HTTP client:
     * its proxy exchange stops the upstream request; a client side that has no exchange stops it itself.
     */
    default void evict(OpenAiError error) {
    }
}
