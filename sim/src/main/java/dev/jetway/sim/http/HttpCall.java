package dev.jetway.sim.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One HTTP request, copied out of Netty's pooled buffers so that it can wait behind a pipelined predecessor.
 *
 * @param arrivalNanos {@link System#nanoTime()} when the whole request had been read
 */
record HttpCall(HttpMethod method, String path, HttpHeaders headers, byte[] body, boolean keepAlive,
                long arrivalNanos) {
}
