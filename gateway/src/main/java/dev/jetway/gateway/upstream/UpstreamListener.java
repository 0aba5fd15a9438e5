package dev.jetway.gateway.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Receives one upstream response; all calls happen on the connection's event loop. */
public interface UpstreamListener {

    void onResponseHead(HttpResponse head);

    /** A piece of the body; the listener owns (and must release) {@code content}. */
    void onContent(HttpContent content);

    /** All of the body has been received. */
    void onResponseEnd();

    /** A batch of reads ended: time to flush what was written. */
    void onReadBatchEnd();

    /** The connection closed or failed before the response ended. */
    void onConnectionLost(Throwable cause);
}
