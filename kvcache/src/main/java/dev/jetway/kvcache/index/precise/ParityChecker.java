package dev.jetway.kvcache.index.precise;

import java.util.ArrayList;
import java.util.List;

/**
 * Hash-parity self-check: for each request Jetway routed (and registered with its request keys), did the engine
 * report its new blocks under those same keys?
 *
 * <p>Only blocks the endpoint did not already hold at routing time are checked (cached blocks produce no event). The
 * request agrees as soon as the first such block appears confirmed by a {@code BlockStored}; because keys are chained,
 * that proves tokens, block size, model/LoRA root and cache salt all matched up to it. If the timeout passes without
 * it while the endpoint did publish {@code BlockStored} events meanwhile, the request disagrees; if the endpoint
 * published nothing (idle publisher, lost subscription) the request is not judged; nor is a request routed to an
 * endpoint whose publisher has sent nothing since the gateway subscribed, nor one whose window saw an orphan
 * {@code BlockStored} (a block chained to a prefix the engine cached before the gateway subscribed: after a gateway
 * restart in front of warm replicas, judging those would raise a false alarm). Used under the index's write lock.
 */
final class ParityChecker {

    private record Pending(EndpointState endpoint, long firstNewKey, long deadlineNanos, long storedEventsAtStart,
                           long orphanBlocksAtStart) {
    }

    private final List<Pending> pending = new ArrayList<>();

    void expect(EndpointMaskTable table, EndpointState endpoint, long[] keys, long deadlineNanos) {
        for (long key : keys) {
            if (!table.contains(key, endpoint.id)) {
                if (endpoint.routedSinceHeard++ == 0) {
                    endpoint.firstUnheardDueNanos = deadlineNanos;
                }
                if (endpoint.messages > 0) {
                    // Before anything was received from this publisher the subscription may not be live (a ZMQ
                    // subscriber misses what was published before it joined), so a missing BlockStored would prove
                    // nothing: judging it would raise a false alarm on every gateway start.
                    pending.add(new Pending(endpoint, key, deadlineNanos, endpoint.storedEventsSeen,
                            endpoint.orphanBlocks));
                }
                return;
            }
        }
    }

    /** Judges every pending request that has been confirmed or has timed out (one pass, compacting in place). */
    void evaluate(EndpointMaskTable table, long nowNanos) {
        int kept = 0;
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            if (table.contains(p.firstNewKey(), p.endpoint().id)) {
                p.endpoint().parity.record(true);
            } else if (p.deadlineNanos() - nowNanos <= 0) {
                // An orphan (a block under a parent the index never saw, e.g. a prefix the engine cached before this
                // gateway subscribed) may be this request's own block, which cannot be keyed: no verdict then.
                boolean orphanMeanwhile = p.endpoint().orphanBlocks > p.orphanBlocksAtStart();
                if (!orphanMeanwhile && p.endpoint().storedEventsSeen > p.storedEventsAtStart()) {
                    p.endpoint().parity.record(false);
                }
            } else {
                pending.set(kept++, p);
            }
        }
        pending.subList(kept, pending.size()).clear();
    }

    void forget(EndpointState endpoint) {
        pending.removeIf(p -> p.endpoint() == endpoint);
    }

    int pendingCount() {
        return pending.size();
    }
}
