package dev.jetway.scheduler.sync;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.spi.Plugin;

/**
 * A plugin whose routing history peers can share: it writes each routing record to a journal once one is set, and
 * takes records from peers as if it had routed them itself (without journaling them again, so nothing echoes).
 */
public interface SharedRouting extends Plugin {

    /** From now on every routing record also goes to {@code journal} (null: none). */
    void journal(RoutingJournal journal);

    /** A peer sent a request with these block keys to {@code endpoint} at about {@code nowNanos}. */
    void recordPeer(Endpoint endpoint, long[] keys, long nowNanos);
}
