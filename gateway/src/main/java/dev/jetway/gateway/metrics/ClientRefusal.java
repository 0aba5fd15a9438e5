package dev.jetway.gateway.metrics;

/**
 * Why the gateway's edge turned a client away or cut it off before its request reached the request path (or, for
 * a stall, while its response was relayed); the {@code reason} label of {@code jetway_client_refusals_total}.
 */
public enum ClientRefusal {
    /** The API port already held {@code server.maxConnections} connections. */
    CONNECTION_CAP("connection_cap"),
    /** The admin port already held {@code server.adminMaxConnections} connections. */
    ADMIN_CONNECTION_CAP("admin_connection_cap"),
    /** The request head did not arrive whole within {@code server.headerReadTimeout} (408). */
    HEAD_TIMEOUT("head_timeout"),
    /** The request head was larger than {@code server.maxHeaderBytes} (431), or its line longer than 4 KiB (414). */
    HEAD_TOO_LARGE("head_too_large"),
    /** More pipelined requests than a connection may queue: the connection closes after the queued ones. */
    PIPELINE_OVERFLOW("pipeline_overflow"),
    /** The client read none of its response for {@code server.writeStallTimeout}. */
    WRITE_STALL("write_stall"),
    /** A request arrived while the gateway drained for shutdown (503). */
    SHUTTING_DOWN("shutting_down");

    private final String label;

    ClientRefusal(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
