package dev.jetway.gateway.datalayer;

/**
 * Readiness from scraping: an endpoint leaves rotation after {@code unreadyAfter} consecutive failed scrapes and
 * comes back at the first success. Whether the last failure was a refused connection (nothing listens: the server is
 * down) or something else (an error status, a timeout, a page that does not parse: the server may well serve while
 * its metrics do not) is kept apart, for the pool's fail-open rule ({@code GatewayPool.readyCandidates}). Written by
 * the endpoint's scrape loop, read by request threads.
 */
public final class EndpointHealth {

    private final int unreadyAfter;
    private volatile boolean ready = true;
    private volatile int consecutiveFailures;
    private volatile String lastError;
    private volatile boolean unreachable;
    private volatile boolean probed;
    private volatile boolean scraped;

    public EndpointHealth(int unreadyAfter) {
        this.unreadyAfter = unreadyAfter;
    }

    public boolean ready() {
        return ready;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public String lastError() {
        return lastError;
    }

    /**
     * False when the last scrape could not connect at all. An unready endpoint that is reachable only lacks metrics,
     * and may take requests when no endpoint of its pool is ready.
     */
    public boolean reachable() {
        return !unreachable;
    }

    /** True once a scrape got an answer or failed: the endpoint's state is known, not assumed. */
    public boolean probed() {
        return probed;
    }

    /** True once a scrape succeeded. */
    public boolean scraped() {
        return scraped;
    }

    /** Returns true when this success made the endpoint ready again. */
    boolean recordSuccess() {
        scraped = true;
        probed = true;
        consecutiveFailures = 0;
        lastError = null;
        unreachable = false;
        boolean wasReady = ready;
        ready = true;
        return !wasReady;
    }

    /** Returns true when this failure made the endpoint unready; {@code refused}: the connection was refused. */
    boolean recordFailure(String error, boolean refused) {
        lastError = error;
        unreachable = refused;
        probed = true;
        int n = consecutiveFailures + 1;
        consecutiveFailures = n;
        if (ready && n >= unreadyAfter) {
            ready = false;
            return true;
        }
        return false;
    }
}
