package dev.jetway.gateway.upstream;

/** The endpoint already has as many connections open as the gateway allows. */
public final class PoolExhaustedException extends Exception {
    public PoolExhaustedException(String address, int limit) {
        super(address + " has " + limit + " connections open (upstream.maxConnectionsPerEndpoint)", null, false, false);
    }
}
