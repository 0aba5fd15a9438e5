package dev.jetway.sim.http;

import io.netty.handler.codec.http.HttpMethod;

/**
 * One HTTP request, copied out of Netty's pooled buffers so that it can wait behind a pipelined predecessor.
 *
 * @param returnError  the {@code X-Return-Error} header, or null (the only header the simulator reads)
 * @param arrivalNanos {@link System#nanoTime()} when the whole request had been read
 */
record HttpCall(HttpMethod method, String path, String returnError, byte[] body, boolean keepAlive,
                long arrivalNanos) {
}
