package dev.jetway.gateway.datalayer;

/**
 * Readiness from scraping: an endpoint leaves rotation after {@code unreadyAfter} consecutive failed scrapes and
 * comes back at the first success. Written by the endpoint's scrape loop, read by request threads.
 */
public final class EndpointHealth {

    private final int unreadyAfter;
    private volatile boolean ready = true;
    private volatile int consecutiveFailures;
    private volatile String lastError;

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

    /** Returns true when this success made the endpoint ready again. */
    boolean recordSuccess() {
        consecutiveFailures = 0;
        lastError = null;
        boolean wasReady = ready;
        ready = true;
        return !wasReady;
    }

    /** Returns true when this failure made the endpoint unready. */
    boolean recordFailure(String error) {
        lastError = error;
        int n = consecutiveFailures + 1;
        consecutiveFailures = n;
        if (ready && n >= unreadyAfter) {
            ready = false;
            return true;
        }
        return false;
    }
}
