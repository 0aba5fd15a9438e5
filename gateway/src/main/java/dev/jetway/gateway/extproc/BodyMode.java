package dev.jetway.gateway.extproc;

import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;

/**
 * How Envoy exchanges one direction's body with the picker, from the {@code protocol_config} of the stream's first
 * message. An Envoy too old to send it is taken to run {@code FULL_DUPLEX_STREAMED}, the mode GIE's protocol requires
 * and llm-d's charts configure.
 */
enum BodyMode {
    /** No body messages: the request is routed on its headers. */
    NONE,
    /**
     * {@code BUFFERED} and {@code BUFFERED_PARTIAL}: Envoy waits for the headers reply, then sends the body in one
     * message and holds the headers until the body reply, which may still change them.
     */
    BUFFERED,
    /**
     * {@code FULL_DUPLEX_STREAMED}: headers and body chunks arrive without waiting; the picker answers the headers once
     * it has decided, then hands every byte of the body back ({@code streamed_response}).
     */
    FULL_DUPLEX,
    /**
     * {@code STREAMED}: the headers reply must come before the body, so the picker could not route on the body.
     * Refused with a clear error rather than routed blind.
     */
    UNSUPPORTED;

    static BodyMode of(ProcessingMode.BodySendMode mode) {
        return switch (mode) {
            case NONE -> NONE;
            case BUFFERED, BUFFERED_PARTIAL -> BUFFERED;
            case FULL_DUPLEX_STREAMED -> FULL_DUPLEX;
            case STREAMED, UNRECOGNIZED -> UNSUPPORTED;
        };
    }

    static BodyMode request(ProcessingRequest first) {
        return first.hasProtocolConfig() ? of(first.getProtocolConfig().getRequestBodyMode()) : FULL_DUPLEX;
    }

    /**
     * The response direction: every mode works there (the picker only watches the response), but what a body reply
     * looks like depends on it.
     */
    static BodyMode response(ProcessingRequest first) {
        if (!first.hasProtocolConfig()) {
            return FULL_DUPLEX;
        }
        BodyMode mode = of(first.getProtocolConfig().getResponseBodyMode());
        return mode == UNSUPPORTED ? BUFFERED : mode;
    }
}
