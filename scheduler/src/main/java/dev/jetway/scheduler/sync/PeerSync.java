package dev.jetway.scheduler.sync;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InFlightCounts;
import dev.jetway.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Active-active without a leader, the pure half: one pool's scheduler on one gateway replica shares its routing state
 * with its peers through digests. {@link #export} takes what this replica routed since the last digest (from the
 * journals of its {@link SharedRouting} plugins: the approximate prefix index) and what it has in flight per
 * endpoint; {@link #apply} feeds a peer's records into the same plugins and keeps the peer's in-flight counts, whose
 * sum over live peers every endpoint adds to its own ({@link Endpoint#peerInFlight}). A peer not heard from for
 * longer than the timeout is forgotten ({@link #expire}): its counts leave the load view, the routing history it
 * taught stays (the engines still cache those prefixes). The transport (period, addresses, retries) is the host's.
 *
 * <p>Thread-safe; export and apply never block scheduling (records go to the indexes as routing does).
 */
public final class PeerSync {

    private final String self;
    private final Map<String, SharedRouting> shared = new HashMap<>();
    private final RoutingJournal journal;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Peer> peers = new HashMap<>();
    private final Stats stats = new Stats();

    private static final class Peer {
        long sequence = -1;
        long heardNanos;
        Map<String, InFlightCounts> load = Map.of();
    }

    /** Counters for the host's metrics. */
    public static final class Stats {
        private final AtomicLong exported = new AtomicLong();
        private final AtomicLong applied = new AtomicLong();
        private final AtomicLong recordsApplied = new AtomicLong();
        private final AtomicLong recordsIgnored = new AtomicLong();
        private final AtomicLong staleLoads = new AtomicLong();
        private final AtomicLong peersExpired = new AtomicLong();

        /** Digests taken for sending. */
        public long exported() {
            return exported.get();
        }

        /** Peer digests applied. */
        public long applied() {
            return applied.get();
        }

        /** Routing records from peers fed into the indexes. */
        public long recordsApplied() {
            return recordsApplied.get();
        }

        /** Routing records from peers for a plugin or an endpoint this replica does not have (a config mismatch). */
        public long recordsIgnored() {
            return recordsIgnored.get();
        }

        /** Digests whose load was older than one already applied from the same peer. */
        public long staleLoads() {
            return staleLoads.get();
        }

        /** Peers forgotten for silence. */
        public long peersExpired() {
            return peersExpired.get();
        }
    }

    /**
     * Starts journaling {@code scheduler}'s shareable plugins.
     *
     * @param self this replica's id (a new one at every start), so a digest it receives from itself is ignored
     */
    public PeerSync(Scheduler scheduler, String self) {
        this(scheduler, self, RoutingJournal.DEFAULT_MAX_KEYS);
    }

    public PeerSync(Scheduler scheduler, String self, long journalMaxKeys) {
        this.self = Objects.requireNonNull(self, "self");
        this.journal = new RoutingJournal(journalMaxKeys);
        for (SharedRouting p : scheduler.plugins(SharedRouting.class)) {
            shared.put(p.name(), p);
            p.journal(journal);
        }
    }

    /** Stops journaling (the scheduler was replaced or peers were turned off). */
    public void close() {
        shared.values().forEach(p -> p.journal(null));
    }

    public String self() {
        return self;
    }

    /** Whether the scheduler has routing history to share (false: only in-flight counts travel). */
    public boolean sharesRouting() {
        return !shared.isEmpty();
    }

    public Stats stats() {
        return stats;
    }

    /** This replica's digest: what it routed since the last one, and its own in-flight counts on {@code endpoints}. */
    public RoutingDigest export(List<Endpoint> endpoints) {
        RoutingJournal.Drained drained = journal.drain();
        List<EndpointLoad> load = new ArrayList<>();
        for (Endpoint e : endpoints) {
            InFlightCounts own = e.ownInFlight();
            if (!own.isZero()) {
                load.add(new EndpointLoad(e.id(), own));
            }
        }
        stats.exported.incrementAndGet();
        return new RoutingDigest(self, sequence.incrementAndGet(), drained.records(), load, drained.dropped());
    }

    /**
     * Applies a peer's digest received at {@code nowNanos}: its records go into the indexes, its load replaces the
     * peer's previous one. Returns false for this replica's own digest (a peer list that names itself).
     *
     * @param endpoints the pool's endpoints now
     */
    public boolean apply(RoutingDigest digest, List<Endpoint> endpoints, long nowNanos) {
        if (digest.sender().equals(self)) {
            return false;
        }
        Map<String, Endpoint> byId = HashMap.newHashMap(endpoints.size());
        for (Endpoint e : endpoints) {
            byId.put(e.id(), e);
        }
        for (RoutedBlocks r : digest.routed()) {
            SharedRouting plugin = shared.get(r.producer());
            Endpoint e = byId.get(r.endpointId());
            if (plugin == null || e == null) {
                stats.recordsIgnored.incrementAndGet();
                continue;
            }
            plugin.recordPeer(e, r.keys(), nowNanos);
            stats.recordsApplied.incrementAndGet();
        }
        synchronized (peers) {
            Peer peer = peers.computeIfAbsent(digest.sender(), id -> new Peer());
            peer.heardNanos = nowNanos;
            if (digest.sequence() < peer.sequence) {
                stats.staleLoads.incrementAndGet();
            } else {
                peer.sequence = digest.sequence();
                Map<String, InFlightCounts> load = HashMap.newHashMap(digest.load().size());
                for (EndpointLoad l : digest.load()) {
                    load.put(l.endpointId(), l.counts());
                }
                peer.load = load;
            }
            publishLoad(endpoints);
        }
        stats.applied.incrementAndGet();
        return true;
    }

    /**
     * Forgets peers not heard from since {@code nowNanos - timeoutNanos} (a dead or partitioned replica): their
     * in-flight counts leave every endpoint's load. Returns how many were forgotten.
     */
    public int expire(List<Endpoint> endpoints, long nowNanos, long timeoutNanos) {
        int removed = 0;
        synchronized (peers) {
            var it = peers.values().iterator();
            while (it.hasNext()) {
                if (nowNanos - it.next().heardNanos > timeoutNanos) {
                    it.remove();
                    removed++;
                }
            }
            if (removed > 0) {
                stats.peersExpired.addAndGet(removed);
                publishLoad(endpoints);
            }
        }
        return removed;
    }

    /** Peers heard from and not yet expired. */
    public int livePeers() {
        synchronized (peers) {
            return peers.size();
        }
    }

    /** Each endpoint's peer share: the sum of the live peers' last reports. Called with the peers' lock held. */
    private void publishLoad(List<Endpoint> endpoints) {
        for (Endpoint e : endpoints) {
            InFlightCounts sum = InFlightCounts.ZERO;
            for (Peer p : peers.values()) {
                InFlightCounts c = p.load.get(e.id());
                if (c != null) {
                    sum = sum.plus(c);
                }
            }
            e.peerInFlight(sum);
        }
    }
}
