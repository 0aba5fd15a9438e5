package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.Endpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * llm-d's flow control for one pool: holds requests back while the pool is saturated and lets them through in
 * priority order, fairly between tenants, shedding what waits too long or does not fit.
 *
 * <p><b>Order.</b> Strict priority across bands (one band per priority; negative = sheddable); within a band the
 * band's {@link FairnessPolicy} picks a flow (fairness id); within the flow its {@link OrderingPolicy} picks the
 * request. A band dispatches while the {@link SaturationDetector}'s measure of the pool, plus what is in transit,
 * stays below the {@link UsageLimitPolicy}'s ceiling; the first band that may not blocks every band below it.
 *
 * <p><b>Driving it.</b> The controller has no thread or timer: the host calls {@link #submit} for each request (which
 * lets it through at once when nothing of the same or higher priority waits and the pool has room, and otherwise
 * queues it and runs a dispatch cycle), {@link #dispatch} after every completion and on a periodic tick (TTLs expire
 * there), {@link #acknowledge} when a dispatched request has been charged to an endpoint, {@link #finished} when it is
 * over, {@link #cancel} when a waiting client goes away, {@link #shutdown} at the end. Time is the host's
 * {@code nanoTime}, passed in.
 *
 * <p><b>In transit.</b> A dispatched request is not on any endpoint's counters until the host has scheduled it, so
 * a detector would see the pool as before and one cycle would release the whole queue into a pool that just dipped
 * below its limit. The controller counts dispatched, unacknowledged requests and their tokens and adds them to the
 * detector's measure ({@link PoolLoad#with}).
 *
 * <p><b>Threading.</b> Thread-safe; one lock, held for O(log n) queue work plus one O(endpoints) measurement per
 * call. {@link FlowListener} callbacks run after the lock is released, on the calling thread, in the order the
 * decisions were made; callbacks caused by a call made from within a callback run after that callback returns, so a
 * host that completes requests synchronously does not recurse.
 *
 * <p><b>Memory.</b> Only queued requests are held, and their number and bytes are bounded by the global and per-band
 * {@code maxRequests} / {@code maxBytes} (a request that does not fit is rejected at once). A flow exists only while
 * it holds requests; a band exists per priority seen. Running sheddable requests are tracked only with
 * {@code enableEviction}, until {@link #finished}.
 */
public final class FlowController {

    private static final Logger log = LoggerFactory.getLogger(FlowController.class);
    /** Saturations are sums of fractions: one that lands on the ceiling up to rounding counts as reaching it. */
    private static final double ROUNDING = 1e-9;

    private final ReentrantLock lock = new ReentrantLock();
    private FlowControlConfig config;
    private long noEndpointTtlNanos;
    /** Highest priority first; replaced (never mutated) when a band is added. */
    private Band[] bands = new Band[0];
    private long nextSeq = 1;
    private long lastEnqueueNanos = Long.MIN_VALUE;
    private long queuedRequests;
    /** {@link #queuedRequests} for readers outside the lock (a host's periodic tick). */
    private volatile boolean anyQueued;
    private long queuedBytes;
    private long inTransitRequests;
    private long inTransitTokens;
    private boolean regimeKnown;
    private boolean hasEndpoints;
    private long regimeSinceNanos;
    private boolean shutdown;
    private PoolLoad lastLoad = PoolLoad.EMPTY;
    private double lastSaturation = PoolLoad.EMPTY.saturation();
    private final Evictables evictables = new Evictables();
    private int evicting;
    private int blockedCycles;

    public FlowController(FlowControlConfig config) {
        apply(Objects.requireNonNull(config, "config"));
    }

    private void apply(FlowControlConfig next) {
        this.config = next;
        this.noEndpointTtlNanos = next.noEndpointRequestTTL().toNanos();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Host calls

    /**
     * Admits a request. Rejected at once when the controller is shut down or its band or the global limits are
     * full ({@code rejected-saturated} 429; {@code rejected-no-endpoints} 503 when the pool has none); dispatched at
     * once when nothing of the same or a higher priority is queued and the pool is below the band's usage limit;
     * queued otherwise, followed by a dispatch cycle. The listener hears the outcome (possibly before this returns).
     *
     * @param endpoints the pool's endpoints that may serve it now (empty = none)
     */
    public FlowTicket submit(FlowRequest request, List<Endpoint> endpoints, long nowNanos) {
        FlowTicket t = new FlowTicket(this, Objects.requireNonNull(request, "request"), nowNanos);
        FlowTicket notices;
        lock.lock();
        try {
            observe(endpoints, nowNanos);
            notices = admit(t, endpoints, nowNanos);
        } finally {
            lock.unlock();
        }
        deliver(notices);
        return t;
    }

    /**
     * A dispatch cycle: expires requests past their TTL ({@code rejected-ttl-expired} 429 while the pool has
     * endpoints, {@code rejected-no-endpoints} 503 while it has none), then dispatches in order while the pool has
     * room, then (with eviction on) asks a running sheddable request to stop when a request of priority 0 or more has
     * been blocked for a whole cycle. Call it after every completion and on a periodic tick.
     */
    public void dispatch(List<Endpoint> endpoints, long nowNanos) {
        FlowTicket notices;
        lock.lock();
        try {
            observe(endpoints, nowNanos);
            notices = cycle(endpoints, null, nowNanos, null);
        } finally {
            lock.unlock();
        }
        deliver(notices);
    }

    /**
     * Measures the pool now without dispatching: an idle controller (nothing queued) runs no dispatch cycle, so its
     * saturation and staleness would otherwise stay as the last request found them, or the empty pool's 1.0 before the
     * first. The host calls it now and then for its gauges.
     */
    public void refresh(List<Endpoint> endpoints, long nowNanos) {
        lock.lock();
        try {
            observe(endpoints, nowNanos);
            lastSaturation = measure(endpoints, nowNanos).with(inTransitRequests, inTransitTokens);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The dispatched request is now charged to an endpoint (after {@code Scheduler.preRequest}), or scheduling it
     * failed: it no longer counts in transit. Repeated calls and calls for other states are ignored.
     */
    public void acknowledge(FlowTicket ticket) {
        own(ticket);
        lock.lock();
        try {
            if (ticket.state() == FlowTicket.State.DISPATCHED) {
                untransit(ticket);
                ticket.state(FlowTicket.State.RUNNING);
                if (config.enableEviction() && ticket.request.sheddable() && !shutdown) {
                    evictables.add(ticket);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The request is over (done, failed, evicted or abandoned); acknowledges it if that had not happened. Call
     * {@link #dispatch} afterwards, as for every completion. Idempotent.
     */
    public void finished(FlowTicket ticket) {
        own(ticket);
        lock.lock();
        try {
            FlowTicket.State s = ticket.state();
            if (s == FlowTicket.State.DISPATCHED) {
                untransit(ticket);
            }
            if (ticket.evictable) {
                evictables.remove(ticket);
            }
            if (ticket.evicting) {
                ticket.evicting = false;
                evicting--;
            }
            if (s == FlowTicket.State.DISPATCHED || s == FlowTicket.State.RUNNING) {
                ticket.state(FlowTicket.State.FINISHED);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The client went away: a queued request is removed at once and its listener hears
     * {@code rejected-context-cancelled} (503). Returns false (and does nothing) when it is no longer queued; a
     * dispatched one is reported with {@link #finished} instead.
     */
    public boolean cancel(FlowTicket ticket, long nowNanos) {
        own(ticket);
        lock.lock();
        try {
            if (ticket.state() != FlowTicket.State.QUEUED || ticket.flow == null) {
                return false;
            }
            remove(ticket, false);
            reject(ticket, FlowOutcome.CONTEXT_CANCELLED, nowNanos, null);
        } finally {
            lock.unlock();
        }
        deliver(ticket);
        return true;
    }

    /**
     * Rejects every queued request ({@code rejected-shutting-down}, 503) and every later submission; requests already
     * dispatched are left to finish.
     */
    public void shutdown(long nowNanos) {
        FlowTicket notices = null;
        lock.lock();
        try {
            shutdown = true;
            for (Band b : bands) {
                while (b.oldest != null) {
                    FlowTicket t = b.oldest;
                    remove(t, false);
                    notices = reject(t, FlowOutcome.SHUTTING_DOWN, nowNanos, notices);
                }
            }
            while (evictables.size() > 0) {
                evictables.remove(evictables.victim());
            }
        } finally {
            lock.unlock();
        }
        deliver(notices);
    }

    /**
     * Takes a reloaded config: every band takes its new limits, TTL and policies; queued requests stay where they are
     * (re-sorted when the ordering or TTL changed), even beyond new, lower limits. O(queued · log) once.
     */
    public void reconfigure(FlowControlConfig next) {
        Objects.requireNonNull(next, "config");
        lock.lock();
        try {
            apply(next);
            for (Band b : bands) {
                PriorityBand settings = next.bandFor(b.priority);
                boolean rekey = settings.ordering() != b.settings.ordering()
                        || !settings.requestTTL().equals(b.settings.requestTTL());
                b.apply(settings);
                for (Flow f : b.flows.values()) {
                    if (rekey) {
                        for (int i = 0; i < f.queue.size(); i++) {
                            FlowTicket t = f.queue.get(i);
                            t.key = settings.ordering().sortKey(t.request, t.enqueueNanos, b.ttlNanos);
                        }
                        f.queue.rebuild();
                    }
                    f.heapIndex = -1;
                    b.fairness.added(f);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether any request waits, read without the lock: a host's periodic tick needs a dispatch cycle only then (TTLs,
     * room that appeared with a metrics scrape).
     */
    public boolean hasQueued() {
        return anyQueued;
    }

    /** The state now, for metrics. */
    public FlowSnapshot snapshot() {
        lock.lock();
        try {
            List<FlowSnapshot.BandStats> out = new ArrayList<>(bands.length);
            for (Band b : bands) {
                List<FlowSnapshot.FlowStats> flows = new ArrayList<>(b.flows.size());
                for (Flow f : b.flows.values()) {
                    flows.add(new FlowSnapshot.FlowStats(f.fairnessId, f.queue.size(), f.bytes));
                }
                out.add(new FlowSnapshot.BandStats(b.priority, b.requests, b.bytes, flows));
            }
            return new FlowSnapshot(queuedRequests, queuedBytes, inTransitRequests, inTransitTokens, out,
                    lastSaturation, lastLoad.endpoints(), lastLoad.staleEndpoints(), lastLoad.failedOpen(),
                    evictables.size(), evicting, shutdown);
        } finally {
            lock.unlock();
        }
    }

    /** The config in force. */
    public FlowControlConfig config() {
        lock.lock();
        try {
            return config;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Under the lock

    private FlowTicket admit(FlowTicket t, List<Endpoint> endpoints, long now) {
        FlowRequest r = t.request;
        if (shutdown) {
            return reject(t, FlowOutcome.SHUT_DOWN, now, null);
        }
        Band band = band(r.priority());
        FlowTicket notices = null;
        if (!fits(band, r.byteSize())) {
            notices = shareFullBand(band, r, now);
            if (!fits(band, r.byteSize())) {
                return reject(t, hasEndpoints ? FlowOutcome.CAPACITY : FlowOutcome.CAPACITY_NO_ENDPOINTS, now,
                        notices);
            }
        }
        PoolLoad load = null;
        if (!queuedAtOrAbove(r.priority())) {
            load = measure(endpoints, now);
            double saturation = load.with(inTransitRequests, inTransitTokens);
            if (saturation + ROUNDING < ceiling(band)) {
                lastSaturation = saturation;
                return dispatched(t, now, notices); // the fast path: no queue
            }
        }
        enqueue(t, band, now);
        return cycle(endpoints, load, now, notices);
    }

    /**
     * A full band with round-robin fairness keeps an equal share of its room for each flow: while the arriving request
     * does not fit, the last request (in dispatch order) of the flow holding the most is pushed out
     * ({@link FlowOutcome#DISPLACED}), as long as that flow holds at least two more than the arriving request's. Flows
     * taking turns share dispatches equally only if each has requests queued; without this, who holds the room of a
     * full band (and so who is served) is decided by who happened to arrive when a slot freed (measured: batch-tier
     * tenants at 0.83-0.92 of each other's service under overload; docs/performance.md). O(flows + the victim flow's
     * requests) per push-out, only when the band is full.
     */
    private FlowTicket shareFullBand(Band band, FlowRequest arriving, long now) {
        if (!(band.settings.fairness() instanceof RoundRobinFairness)) {
            return null;
        }
        Flow own = band.flows.get(arriving.fairnessId());
        int ownSize = own == null ? 0 : own.queue.size();
        FlowTicket notices = null;
        while (!fits(band, arriving.byteSize())) {
            Flow longest = null;
            for (Flow f : band.flows.values()) {
                if (f != own && (longest == null || f.queue.size() > longest.queue.size())) {
                    longest = f;
                }
            }
            if (longest == null || longest.queue.size() < ownSize + 2) {
                break;
            }
            FlowTicket last = longest.queue.get(0);
            for (int i = 1; i < longest.queue.size(); i++) {
                FlowTicket c = longest.queue.get(i);
                if (Flow.TICKET_ORDER.compare(c, last) > 0) {
                    last = c;
                }
            }
            remove(last, false);
            notices = reject(last, FlowOutcome.DISPLACED, now, notices);
        }
        return notices;
    }

    /** Expire, then dispatch while there is room, then maybe evict. {@code load} may be a measurement of now. */
    private FlowTicket cycle(List<Endpoint> endpoints, PoolLoad load, long now, FlowTicket notices) {
        notices = expire(now, notices);
        if (queuedRequests == 0) {
            blockedCycles = 0;
            return notices;
        }
        if (load == null) {
            load = measure(endpoints, now);
        }
        Band blocked = null;
        while (queuedRequests > 0) {
            int rank = highestWaiting();
            Band b = bands[rank];
            double saturation = load.with(inTransitRequests, inTransitTokens);
            if (saturation + ROUNDING >= ceiling(b, rank)) {
                blocked = b;
                break;
            }
            FlowTicket t = b.fairness.next().queue.peek();
            remove(t, true);
            notices = dispatched(t, now, notices);
        }
        lastSaturation = load.with(inTransitRequests, inTransitTokens);
        return evictIfBlocked(blocked, notices);
    }

    private FlowTicket expire(long now, FlowTicket notices) {
        if (queuedRequests == 0) {
            return notices;
        }
        FlowOutcome why = hasEndpoints ? FlowOutcome.TTL_EXPIRED : FlowOutcome.TTL_EXPIRED_NO_ENDPOINTS;
        for (Band b : bands) {
            long ttl = hasEndpoints ? b.ttlNanos : noEndpointTtlNanos;
            // a change of regime starts a fresh budget, but the total wait stays within the longer of the two
            long bound = b.ttlNanos > 0 && noEndpointTtlNanos > 0 ? Math.max(b.ttlNanos, noEndpointTtlNanos) : 0;
            if (ttl <= 0 && bound <= 0) {
                continue;
            }
            // arrival order is expiry order: one band has one budget
            while (b.oldest != null && expired(b.oldest, ttl, bound, now)) {
                FlowTicket t = b.oldest;
                remove(t, false);
                notices = reject(t, why, now, notices);
            }
        }
        return notices;
    }

    private boolean expired(FlowTicket t, long ttl, long bound, long now) {
        if (ttl > 0 && now - Math.max(t.enqueueNanos, regimeSinceNanos) >= ttl) {
            return true;
        }
        return bound > 0 && now - t.enqueueNanos >= bound;
    }

    /**
     * With eviction on: once a request of priority 0 or more has been blocked by saturation for a whole dispatch
     * cycle, stop one running sheddable request per cycle, as long as fewer are being stopped than such requests
     * wait.
     */
    private FlowTicket evictIfBlocked(Band blocked, FlowTicket notices) {
        if (blocked == null || blocked.priority < 0) {
            blockedCycles = 0;
            return notices;
        }
        blockedCycles++;
        if (!config.enableEviction() || blockedCycles < 2 || evicting >= waitingAtOrAbove(0)) {
            return notices;
        }
        FlowTicket victim = evictables.victim();
        if (victim == null) {
            return notices;
        }
        evictables.remove(victim);
        victim.evicting = true;
        victim.evicted(FlowOutcome.EVICTED_PRIORITY);
        evicting++;
        return notice(victim, FlowTicket.Notice.EVICT, notices);
    }

    private void observe(List<Endpoint> endpoints, long now) {
        boolean has = !endpoints.isEmpty();
        if (!regimeKnown || has != hasEndpoints) {
            regimeKnown = true;
            hasEndpoints = has;
            regimeSinceNanos = now;
        }
    }

    private PoolLoad measure(List<Endpoint> endpoints, long now) {
        PoolLoad load = config.detector().measure(endpoints, now);
        lastLoad = load;
        return load;
    }

    private double ceiling(Band band) {
        for (int rank = 0; rank < bands.length; rank++) {
            if (bands[rank] == band) {
                return ceiling(band, rank);
            }
        }
        throw new IllegalStateException("unknown band");
    }

    private double ceiling(Band band, int rank) {
        return config.usageLimit().ceiling(band.priority, rank, bands.length, bands[0].priority,
                bands[bands.length - 1].priority);
    }

    private boolean fits(Band band, long bytes) {
        FlowControlConfig c = config;
        if (c.maxRequests() > 0 && queuedRequests >= c.maxRequests()) {
            return false;
        }
        if (c.maxBytes() > 0 && queuedBytes + bytes > c.maxBytes()) {
            return false;
        }
        return band.requests < band.settings.maxRequests() && band.bytes + bytes <= band.settings.maxBytes();
    }

    private boolean queuedAtOrAbove(int priority) {
        for (Band b : bands) {
            if (b.priority < priority) {
                return false;
            }
            if (b.requests > 0) {
                return true;
            }
        }
        return false;
    }

    private long waitingAtOrAbove(int priority) {
        long n = 0;
        for (Band b : bands) {
            if (b.priority < priority) {
                break;
            }
            n += b.requests;
        }
        return n;
    }

    private int highestWaiting() {
        for (int i = 0; i < bands.length; i++) {
            if (bands[i].requests > 0) {
                return i;
            }
        }
        throw new IllegalStateException("nothing queued");
    }

    /** The band of a priority, created from the config's templates the first time it is seen. */
    private Band band(int priority) {
        int at = 0;
        while (at < bands.length && bands[at].priority > priority) {
            at++;
        }
        if (at < bands.length && bands[at].priority == priority) {
            return bands[at];
        }
        Band b = new Band(config.bandFor(priority));
        Band[] next = Arrays.copyOf(bands, bands.length + 1);
        System.arraycopy(bands, at, next, at + 1, bands.length - at);
        next[at] = b;
        bands = next;
        return b;
    }

    private void enqueue(FlowTicket t, Band band, long now) {
        // monotone, so that arrival order is also enqueue-time order (TTL expiry relies on it)
        t.enqueueNanos = Math.max(now, lastEnqueueNanos);
        lastEnqueueNanos = t.enqueueNanos;
        t.seq = nextSeq++;
        t.key = band.settings.ordering().sortKey(t.request, t.enqueueNanos, band.ttlNanos);
        long bytes = t.request.byteSize();
        Flow f = band.flows.get(t.request.fairnessId());
        boolean fresh = f == null;
        if (fresh) {
            f = new Flow(t.request.fairnessId(), band);
            band.flows.put(f.fairnessId, f);
        }
        FlowTicket head = f.queue.peek();
        f.queue.add(t);
        t.flow = f;
        f.bytes += bytes;
        if (fresh) {
            band.fairness.added(f);
        } else if (f.queue.peek() != head) {
            band.fairness.headChanged(f);
        }
        band.append(t);
        band.requests++;
        band.bytes += bytes;
        queuedRequests++;
        anyQueued = true;
        queuedBytes += bytes;
    }

    /** Takes a queued request out of every structure; {@code dispatching}: it is its flow's head, being dispatched. */
    private void remove(FlowTicket t, boolean dispatching) {
        Flow f = t.flow;
        Band band = f.band;
        long bytes = t.request.byteSize();
        boolean wasHead = f.queue.peek() == t;
        f.queue.remove(t);
        t.flow = null;
        f.bytes -= bytes;
        band.unlink(t);
        band.requests--;
        band.bytes -= bytes;
        queuedRequests--;
        anyQueued = queuedRequests > 0;
        queuedBytes -= bytes;
        if (f.queue.isEmpty()) {
            band.fairness.removed(f);
            band.flows.remove(f.fairnessId);
        } else if (dispatching) {
            band.fairness.took(f);
        } else if (wasHead) {
            band.fairness.headChanged(f);
        }
    }

    private FlowTicket dispatched(FlowTicket t, long now, FlowTicket notices) {
        t.decide(FlowTicket.State.DISPATCHED, null, now);
        inTransitRequests++;
        inTransitTokens += t.request.tokens();
        return notice(t, FlowTicket.Notice.DISPATCHED, notices);
    }

    private FlowTicket reject(FlowTicket t, FlowOutcome why, long now, FlowTicket notices) {
        t.decide(FlowTicket.State.REJECTED, why, now);
        return notice(t, FlowTicket.Notice.REJECTED, notices);
    }

    private void untransit(FlowTicket t) {
        inTransitRequests--;
        inTransitTokens -= t.request.tokens();
    }

    private static FlowTicket notice(FlowTicket t, FlowTicket.Notice what, FlowTicket notices) {
        t.notice = what;
        t.notifyNext = notices;
        return t;
    }

    private void own(FlowTicket ticket) {
        if (ticket.owner != this) {
            throw new IllegalArgumentException("ticket of another flow controller: " + ticket);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // After the lock

    /**
     * Callbacks to run on this thread. A listener that calls back into the controller (a host that completes a
     * request synchronously, a simulator) must not recurse once per request: the callbacks its call causes are queued
     * behind the ones being run, and the outermost delivery on the thread runs them all.
     */
    private static final class Delivery {
        boolean running;
        FlowTicket head;
        FlowTicket tail;
    }

    private static final ThreadLocal<Delivery> DELIVERY = ThreadLocal.withInitial(Delivery::new);

    /** Runs the callbacks collected under the lock (a chain, newest first), oldest first. */
    private static void deliver(FlowTicket newestFirst) {
        if (newestFirst == null) {
            return;
        }
        FlowTicket oldestFirst = null;
        FlowTicket last = newestFirst;
        for (FlowTicket t = newestFirst; t != null; ) {
            FlowTicket next = t.notifyNext;
            t.notifyNext = oldestFirst;
            oldestFirst = t;
            t = next;
        }
        Delivery d = DELIVERY.get();
        if (d.tail == null) {
            d.head = oldestFirst;
        } else {
            d.tail.notifyNext = oldestFirst;
        }
        d.tail = last;
        if (d.running) {
            return;
        }
        d.running = true;
        try {
            while (d.head != null) {
                FlowTicket t = d.head;
                d.head = t.notifyNext;
                if (d.head == null) {
                    d.tail = null;
                }
                FlowTicket.Notice what = t.notice;
                t.notifyNext = null;
                t.notice = null;
                FlowListener listener = t.request.listener();
                try {
                    switch (what) {
                        case DISPATCHED -> listener.dispatched(t);
                        case REJECTED -> listener.rejected(t, t.outcome());
                        case EVICT -> listener.evict(t, FlowOutcome.EVICTED_PRIORITY);
                    }
                } catch (RuntimeException e) {
                    log.warn("flow control listener failed for {}", t, e);
                }
            }
        } finally {
            d.running = false;
        }
    }
}
