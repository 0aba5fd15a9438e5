package dev.jetway.kvcache.index.precise;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventDecoder;
import dev.jetway.kvcache.event.MalformedKvEventException;
import dev.jetway.kvcache.key.BlockKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The precise prefix-cache index: which endpoint holds which block, learned from the engines' KV events.
 *
 * <p><b>Dual keys.</b> Engines name blocks by their own hashes; requests are looked up by Jetway's request keys
 * ({@link BlockKeys}). On {@code BlockStored} the index recomputes request keys from the event's token ids, chaining
 * from the request key of the parent block (or from the root of the endpoint's model, the event's LoRA name, and the
 * cache salt found in the first block's extra keys), and remembers engine hash → request key per endpoint so
 * {@code BlockRemoved} and later parents can be translated. vLLM's hash function never needs reproducing.
 *
 * <p><b>Threads.</b> Lookups ({@link #match}) take no lock. Writers (event intake, speculation) serialise on one
 * lock, held per batch; each endpoint's events are expected from one intake thread, in order.
 *
 * <p><b>Lookup.</b> With GPU entries only, a lookup finds each endpoint's run by bisection along the request's chain,
 * one group of 64 endpoint ids at a time (see {@link ChainRuns}), which is exact as long as every endpoint's entries
 * are prefix-closed: no block held without its parent. Engines keep their caches that way (vLLM frees a request's
 * blocks tail first; a block whose prefix is gone can never be hit), and the index never stores a block whose parent it
 * does not know. Where the index cannot vouch for it, the endpoint is marked <em>gapped</em> and read block by block
 * until its entries are next dropped: when the entry bound evicted some of its entries, or when the writer's audit (a
 * recent lookup's chain read block by block under the write lock, at most every {@code AUDIT_INTERVAL_NANOS} and at
 * every forced housekeeping) finds it holding a block after one it lacks.
 *
 * <p><b>Memory.</b> Confirmed entries live in one primitive table of 16-byte slots (key header, 64-endpoint mask)
 * at most 3/4 full; each endpoint's engine-key map costs a 16-byte slot per block. At 10 million entries with one
 * holder per block that is about 27 + 27 bytes per (block, endpoint) entry, less when blocks are shared (see
 * docs/precise-routing.md). When {@code maxEntries} is reached ~10% are evicted, least recently stored first.
 */
public final class PrecisePrefixIndex {

    private static final Logger log = LoggerFactory.getLogger(PrecisePrefixIndex.class);
    private static final long PARITY_EVALUATION_INTERVAL_NANOS = 10_000_000L;
    /** At most one closure audit per this interval on the intake path (housekeeping forces one). */
    private static final long AUDIT_INTERVAL_NANOS = 10_000_000L;
    private static final double EVICT_DOWN_TO = 0.9;
    /**
     * Requests with new blocks routed to an endpoint, with not one message from its publisher since, before it counts
     * as silent (once the first of them is overdue): each should have produced a BlockStored.
     */
    public static final long SILENT_AFTER_ROUTED = 10;

    private final PreciseIndexConfig config;
    private final LongSupplier nanoClock;
    private final long epochNanos;
    private final EndpointMaskTable confirmed;
    private final BlockEntryTable speculativeTable;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final SpeculativeEntries speculative = new SpeculativeEntries();
    private final ParityChecker parity = new ParityChecker();
    private final PrefixMatcher matcher;

    /** Indexed by endpoint id; replaced (copy on write) when an endpoint is added; null for removed ids. */
    private volatile EndpointState[] endpoints = new EndpointState[0];
    private volatile long evictedEntries;
    /**
     * Endpoints whose entries may hold a block without its parent, looked up block by block: bit i of word g is
     * endpoint {@code 64 * g + i}. Replaced (copy on write) by the writer; rarely changes.
     */
    private volatile long[] gappedEndpoints = new long[0];
    /** The keys of a recent lookup, for the closure audit; written by lookups, read by the writer. */
    private volatile long[] auditCandidate;
    /** Writer only: the last audited keys (compared by identity) and when. */
    private long[] lastAudited;
    private long lastAudit;
    private long lastParityEvaluation;
    /** Request keys of the event being applied (writer only, under the write lock). */
    private long[] keyScratch = new long[64];
    /** Keeps the values of {@code touchHomes} reads alive; never read. */
    @SuppressWarnings("unused")
    private long touched;

    public PrecisePrefixIndex(PreciseIndexConfig config) {
        this(config, System::nanoTime);
    }

    public PrecisePrefixIndex(PreciseIndexConfig config, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.epochNanos = nanoClock.getAsLong();
        this.lastParityEvaluation = epochNanos;
        this.confirmed = new EndpointMaskTable(config.initialCapacity());
        this.speculativeTable = new BlockEntryTable(1 << 10);
        this.matcher = new PrefixMatcher(confirmed, speculativeTable, config.tierWeights(), this::nowStamp);
    }

    public PreciseIndexConfig config() {
        return config;
    }

    // ---- endpoints ------------------------------------------------------------------------------------------

    /** Registers an endpoint (idempotent by name) serving {@code model}; returns its id for the other calls. */
    public int addEndpoint(String endpoint, String model) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(model, "model");
        writeLock.lock();
        try {
            EndpointState[] current = endpoints;
            int free = -1;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == null) {
                    free = free < 0 ? i : free;
                } else if (current[i].name.equals(endpoint)) {
                    if (!current[i].model.equals(model)) {
                        throw new IllegalArgumentException("endpoint " + endpoint + " already serves "
                                + current[i].model + ", not " + model);
                    }
                    return i;
                }
            }
            int id = free >= 0 ? free : current.length;
            if (id >= BlockEntryTable.MAX_ENDPOINTS) {
                throw new IllegalStateException("more than " + BlockEntryTable.MAX_ENDPOINTS + " endpoints");
            }
            EndpointState[] next = Arrays.copyOf(current, Math.max(current.length, id + 1));
            next[id] = new EndpointState(id, endpoint, model, BlockKeys.root(model, null), config.parityWindow());
            endpoints = next;
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /** Forgets an endpoint and every entry it had (its id may be reused). O(table size). */
    public void removeEndpoint(int endpointId) {
        writeLock.lock();
        try {
            EndpointState state = state(endpointId);
            if (state == null) {
                return;
            }
            confirmed.removeEndpointEverywhere(endpointId);
            markGapped(endpointId, false);
            speculativeTable.removeIf(v -> BlockEntryTable.endpoint(v) == endpointId);
            parity.forget(state);
            EndpointState[] next = endpoints.clone();
            next[endpointId] = null;
            endpoints = next;
        } finally {
            writeLock.unlock();
        }
    }

    public OptionalInt endpointId(String endpoint) {
        EndpointState[] current = endpoints;
        for (EndpointState s : current) {
            if (s != null && s.name.equals(endpoint)) {
                return OptionalInt.of(s.id);
            }
        }
        return OptionalInt.empty();
    }

    // ---- event intake ---------------------------------------------------------------------------------------

    /**
     * Applies one received KV-event message of an endpoint, tracking its sequence: a jump ahead (lost events), a
     * step back (publisher restart) or an undecodable payload drops the endpoint's entries, which are then rebuilt
     * from new events. Never throws for bad input.
     */
    public IntakeResult onMessage(int endpointId, long seq, byte[] payload) {
        EndpointState state = state(endpointId);
        if (state == null) {
            return IntakeResult.UNKNOWN_ENDPOINT;
        }
        KvEventBatch batch = null;
        String malformed = null;
        try {
            batch = KvEventDecoder.decode(payload);
        } catch (MalformedKvEventException e) {
            malformed = e.getMessage();
        }
        writeLock.lock();
        try {
            if (state(endpointId) != state) {
                return IntakeResult.UNKNOWN_ENDPOINT; // removed while this message was being decoded
            }
            state.messages++;
            state.routedSinceHeard = 0;
            IntakeResult result = IntakeResult.APPLIED;
            if (state.seenSeq && seq != state.lastSeq + 1) {
                if (Long.compareUnsigned(seq, state.lastSeq) > 0) {
                    state.sequenceGaps++;
                    result = IntakeResult.RESYNCED_AFTER_GAP;
                    log.warn("kv events from {}: sequence gap {} -> {}, dropping its {} blocks and rebuilding",
                            state.name, state.lastSeq, seq, state.engineKeys.size());
                } else {
                    state.publisherRestarts++;
                    result = IntakeResult.RESYNCED_AFTER_RESTART;
                    log.warn("kv events from {}: sequence went back {} -> {} (publisher restart), dropping its {} "
                            + "blocks and rebuilding", state.name, state.lastSeq, seq, state.engineKeys.size());
                }
                clear(state);
            }
            state.seenSeq = true;
            state.lastSeq = seq;
            if (malformed != null) {
                state.malformedMessages++;
                log.warn("kv events from {}: dropped malformed message seq {} ({}), dropping its blocks",
                        state.name, seq, malformed);
                clear(state);
                return IntakeResult.MALFORMED_DROPPED;
            }
            for (KvEvent event : batch.events()) {
                applyLocked(state, event);
            }
            housekeepLocked(false);
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    /** Applies decoded events without sequence tracking (an in-process engine model, or a replay). */
    public void apply(int endpointId, KvEventBatch batch) {
        writeLock.lock();
        try {
            EndpointState state = requireState(endpointId);
            state.routedSinceHeard = 0;
            for (KvEvent event : batch.events()) {
                applyLocked(state, event);
            }
            housekeepLocked(false);
        } finally {
            writeLock.unlock();
        }
    }

    private void applyLocked(EndpointState state, KvEvent event) {
        switch (event) {
            case KvEvent.BlockStored stored -> store(state, stored);
            case KvEvent.BlockRemoved removed -> remove(state, removed);
            case KvEvent.AllBlocksCleared ignored -> clear(state);
        }
    }

    private void store(EndpointState state, KvEvent.BlockStored event) {
        state.storedEventsSeen++;
        int blockSize = event.blockSize();
        long[] hashes = event.blockHashes();
        if (blockSize != config.blockSize()) {
            state.rejectedEvents++;
            state.mismatchedBlockSize = blockSize;
            return;
        }
        if (state.mismatchedBlockSize != 0) {
            state.mismatchedBlockSize = 0; // the engine was reconfigured to the right size
        }
        if ((long) hashes.length * blockSize != event.tokenIds().length) {
            state.rejectedEvents++;
            return;
        }
        long parentKey;
        Long parentHash = event.parentBlockHash();
        if (parentHash == null) {
            parentKey = EventRequestKeys.rootOf(state, event);
        } else if (state.engineKeys.contains(parentHash)) {
            parentKey = state.engineKeys.get(parentHash);
        } else {
            state.orphanBlocks += hashes.length;
            return;
        }
        Tier tier = Tier.ofMedium(event.medium());
        int[] tokens = event.tokenIds();
        int n = hashes.length;
        long[] keys = keyScratch(n);
        for (int b = 0; b < n; b++) {
            long key = BlockKeys.next(parentKey, tokens, b * blockSize, blockSize);
            key = EventRequestKeys.foldExtraKeys(key, event, b, parentHash == null);
            keys[b] = key;
            parentKey = key;
        }
        // All blocks' table and map lines load together here; the updates below then mostly hit the cache.
        touched += confirmed.touchHomes(keys, n) + state.engineKeys.touchHomes(hashes, n);
        for (int b = 0; b < n; b++) {
            long key = keys[b];
            confirmed.add(key, state.id, tier);
            if (speculativeTable.live() > 0 && speculativeTable.removeEndpoint(key, state.id) > 0) {
                speculative.confirmed();
            }
            state.engineKeys.put(hashes[b], key);
        }
        state.blocksStored += n;
    }

    private void remove(EndpointState state, KvEvent.BlockRemoved event) {
        Tier tier = Tier.ofMedium(event.medium());
        long[] hashes = event.blockHashes();
        // Load the map lines of all hashes, then the table lines of the keys they name, each batch in parallel.
        touched += state.engineKeys.touchHomes(hashes, hashes.length);
        long[] keys = keyScratch(hashes.length);
        int known = 0;
        for (long hash : hashes) {
            if (state.engineKeys.contains(hash)) {
                keys[known++] = state.engineKeys.get(hash);
            }
        }
        touched += confirmed.touchHomes(keys, known);
        long removed = 0;
        for (long hash : hashes) {
            if (!state.engineKeys.contains(hash)) {
                continue;
            }
            int outcome = confirmed.removeAndCheck(state.engineKeys.get(hash), state.id, tier);
            if ((outcome & EndpointMaskTable.REMOVED) != 0) {
                removed++;
            }
            if ((outcome & EndpointMaskTable.STILL_HELD) == 0) {
                state.engineKeys.remove(hash);
            }
        }
        state.blocksRemoved += removed;
    }

    private long[] keyScratch(int n) {
        if (keyScratch.length < n) {
            keyScratch = new long[Integer.highestOneBit(n - 1) << 1];
        }
        return keyScratch;
    }

    private void clear(EndpointState state) {
        judgeParityBeforeEntriesGo();
        state.engineKeys.forEach((engineKey, requestKey) -> confirmed.removeEndpoint(requestKey, state.id));
        state.engineKeys.clear();
        state.clears++;
        markGapped(state.id, false); // nothing left to have gaps; rebuilt from events in chain order
    }

    // ---- request side ---------------------------------------------------------------------------------------

    /** The request keys of a prompt: full blocks of the configured size, rooted at the LoRA (else model) and salt. */
    public long[] requestKeys(String model, String lora, String cacheSalt, int[] tokenIds) {
        String name = lora != null && !lora.isEmpty() ? lora : Objects.requireNonNull(model, "model");
        return BlockKeys.of(tokenIds, config.blockSize(), BlockKeys.root(name, cacheSalt));
    }

    /** Per endpoint, the longest run of the prompt's blocks it holds from block 0. Lock-free. */
    public PrefixMatches match(String model, String lora, String cacheSalt, int[] tokenIds) {
        return match(requestKeys(model, lora, cacheSalt, tokenIds));
    }

    /**
     * Per endpoint, the longest run of consecutive keys from {@code keys[0]} it holds (any tier, or speculatively),
     * and its tier-weighted score. Lock-free; concurrent with event intake.
     */
    public PrefixMatches match(long[] keys) {
        auditCandidate = keys;
        return matcher.match(keys, endpoints, gappedEndpoints);
    }

    /**
     * Records that a request with these keys was just routed to the endpoint: siblings find it there before its
     * {@code BlockStored} arrives. Entries expire after the speculative TTL unless an event confirms them. Also
     * registers the keys for the parity check ({@link #expect}).
     */
    public void speculate(int endpointId, long[] requestKeys) {
        speculate(endpointId, requestKeys, nanoClock.getAsLong());
    }

    public void speculate(int endpointId, long[] requestKeys, long nowNanos) {
        writeLock.lock();
        try {
            EndpointState state = requireState(endpointId);
            parity.expect(confirmed, state, requestKeys, nowNanos + config.parityTimeout().toNanos());
            long ttl = config.speculativeTtl().toNanos();
            speculative.add(confirmed, speculativeTable, endpointId, requestKeys, stampOf(nowNanos + ttl),
                    nowNanos + ttl);
            housekeepLocked(false);
        } finally {
            writeLock.unlock();
        }
    }

    /** Registers a routed request's keys for the parity check only (no speculative entries). */
    public void expect(int endpointId, long[] requestKeys) {
        writeLock.lock();
        try {
            EndpointState state = requireState(endpointId);
            parity.expect(confirmed, state, requestKeys, nanoClock.getAsLong() + config.parityTimeout().toNanos());
        } finally {
            writeLock.unlock();
        }
    }

    /** Expires speculative entries, judges pending parity checks and enforces the entry bound now. */
    public void expireDue() {
        writeLock.lock();
        try {
            housekeepLocked(true);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Parity is judged by whether a request's first new key is in the table when the check runs (every
     * {@code PARITY_EVALUATION_INTERVAL_NANOS}); a clear or an eviction between a {@code BlockStored} and that check
     * would take the confirmation with it, so the checks run first. Both are rare, so this costs nothing on the
     * ingestion path. ({@code BlockRemoved} of a block within the interval after it was stored can still hide one.)
     */
    private void judgeParityBeforeEntriesGo() {
        if (parity.pendingCount() > 0) {
            long now = nanoClock.getAsLong();
            parity.evaluate(confirmed, now);
            lastParityEvaluation = now;
        }
    }

    private void housekeepLocked(boolean force) {
        long now = nanoClock.getAsLong();
        speculative.expire(speculativeTable, now);
        if (force || now - lastParityEvaluation >= PARITY_EVALUATION_INTERVAL_NANOS) {
            parity.evaluate(confirmed, now);
            lastParityEvaluation = now;
        }
        if (confirmed.entries() > config.maxEntries()) {
            evictLeastRecentlyStored();
        }
        if (force || now - lastAudit >= AUDIT_INTERVAL_NANOS) {
            auditClosureLocked(now);
        }
    }

    /**
     * Reads every block of a recent lookup's chain (confirmed entries, under the write lock) and marks each endpoint
     * that holds a block after one it lacks as gapped: its entries are not prefix-closed there, so bisection could
     * land past its run. Costs one plain scan of one chain, off the lookup path.
     */
    private void auditClosureLocked(long now) {
        long[] keys = auditCandidate;
        if (keys == null || keys == lastAudited) {
            return;
        }
        lastAudited = keys;
        lastAudit = now;
        EndpointState[] states = endpoints;
        if (confirmed.tiered()) {
            return; // lookups take the general path, which reads every block
        }
        long[] closed = new long[(states.length + 63) >>> 6];
        for (EndpointState s : states) {
            if (s != null && !isGapped(s.id)) {
                closed[s.id >>> 6] |= 1L << (s.id & 63);
            }
        }
        for (int g = 0; g < closed.length; g++) {
            if (closed[g] == 0) {
                continue;
            }
            for (long m = matcher.confirmedGaps(keys, g, closed[g]); m != 0; m &= m - 1) {
                EndpointState s = states[(g << 6) | Long.numberOfTrailingZeros(m)];
                s.gapsFound++;
                markGapped(s.id, true);
                log.warn("precise prefix index: {} holds blocks of a looked-up prefix past one it lacks (an engine "
                        + "evicted a block before its descendants, or an event was lost without a sequence gap); "
                        + "looking it up block by block until its entries are next cleared", s.name);
            }
        }
    }

    /** Sets or clears the endpoint's gapped bit; writer only. */
    private void markGapped(int endpointId, boolean gapped) {
        if (isGapped(endpointId) == gapped) {
            return;
        }
        long[] before = gappedEndpoints;
        long[] after = Arrays.copyOf(before, Math.max(before.length, (endpointId >>> 6) + 1));
        long bit = 1L << (endpointId & 63);
        after[endpointId >>> 6] = gapped ? after[endpointId >>> 6] | bit : after[endpointId >>> 6] & ~bit;
        gappedEndpoints = after;
    }

    private boolean isGapped(int endpointId) {
        long[] gapped = gappedEndpoints;
        int word = endpointId >>> 6;
        return word < gapped.length && (gapped[word] & (1L << (endpointId & 63))) != 0;
    }

    /**
     * Drops entries until about 90% of the bound is used, least recently stored first (CLOCK over table slots), and
     * forgets the engine hashes that pointed at them. Normally the engines' own BlockRemoved events keep the index
     * well under the bound; this protects memory when removals are lost.
     */
    private void evictLeastRecentlyStored() {
        judgeParityBeforeEntriesGo();
        long before = confirmed.entries();
        long removed = confirmed.evictDownTo((long) (config.maxEntries() * EVICT_DOWN_TO));
        for (EndpointState s : endpoints) {
            if (s != null) {
                int held = s.engineKeys.size();
                s.engineKeys.retainIf((engineKey, requestKey) -> confirmed.contains(requestKey, s.id));
                if (s.engineKeys.size() < held) {
                    markGapped(s.id, true); // CLOCK picks slots, not chain tails: parents may be gone
                }
            }
        }
        evictedEntries += removed;
        log.info("precise prefix index reached {} entries: evicted {} least recently stored", before, removed);
    }

    // ---- observability --------------------------------------------------------------------------------------

    public IndexStats stats() {
        long bytes = confirmed.bytes() + 16L * speculativeTable.capacity();
        for (EndpointState s : endpoints) {
            if (s != null) {
                bytes += s.engineKeys.capacityBytes();
            }
        }
        return new IndexStats(confirmed.entries() + speculativeTable.live(), confirmed.capacity(), bytes,
                evictedEntries, speculative.inserted(),
                speculative.confirmedCount(), speculative.expired());
    }

    public EndpointStats endpointStats(int endpointId) {
        return statsOf(requireState(endpointId));
    }

    public List<EndpointStats> endpointStats() {
        List<EndpointStats> all = new ArrayList<>();
        for (EndpointState s : endpoints) {
            if (s != null) {
                all.add(statsOf(s));
            }
        }
        return all;
    }

    private EndpointStats statsOf(EndpointState s) {
        boolean silent = s.routedSinceHeard >= SILENT_AFTER_ROUTED
                && nanoClock.getAsLong() - s.firstUnheardDueNanos >= 0;
        return s.stats(isGapped(s.id), silent);
    }

    /** Parity of one endpoint over its window (the gateway exports the ratio as jetway_kv_hash_parity_ratio). */
    public ParityReport parity(int endpointId) {
        EndpointState s = requireState(endpointId);
        return report(s.name, s.parity.agreements(), s.parity.samples(), s.mismatchedBlockSize);
    }

    /** Parity of the pool: all endpoints' windows together. */
    public ParityReport poolParity() {
        int agreements = 0;
        int samples = 0;
        int mismatched = 0;
        for (EndpointState s : endpoints) {
            if (s != null) {
                agreements += s.parity.agreements();
                samples += s.parity.samples();
                mismatched = s.mismatchedBlockSize != 0 ? s.mismatchedBlockSize : mismatched;
            }
        }
        return report("pool", agreements, samples, mismatched);
    }

    /** Below this agreement ratio (with enough samples) the report names a likely cause. */
    public static final double PARITY_ALERT_BELOW = 0.9;
    /** Judged requests needed before a ratio is trusted. */
    public static final int PARITY_MIN_SAMPLES = 10;

    private ParityReport report(String scope, int agreements, int samples, int mismatchedBlockSize) {
        double ratio = samples == 0 ? Double.NaN : (double) agreements / samples;
        ParityHint hint;
        if (mismatchedBlockSize != 0) {
            hint = ParityHint.BLOCK_SIZE_MISMATCH;
        } else if (samples < PARITY_MIN_SAMPLES) {
            hint = ParityHint.TOO_FEW_SAMPLES;
        } else if (ratio < PARITY_ALERT_BELOW) {
            hint = ParityHint.TOKENS_DIFFER;
        } else {
            hint = ParityHint.NONE;
        }
        return new ParityReport(scope, ratio, samples, hint, mismatchedBlockSize);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private EndpointState state(int endpointId) {
        EndpointState[] current = endpoints;
        return endpointId >= 0 && endpointId < current.length ? current[endpointId] : null;
    }

    private EndpointState requireState(int endpointId) {
        EndpointState s = state(endpointId);
        if (s == null) {
            throw new IllegalArgumentException("unknown endpoint id " + endpointId);
        }
        return s;
    }

    /** Milliseconds since the index started, wrapping at 2^32; compared by signed difference (valid for ~24 days). */
    private int stampOf(long nanos) {
        return (int) ((nanos - epochNanos) / 1_000_000L);
    }

    private int nowStamp() {
        return stampOf(nanoClock.getAsLong());
    }
}
