package dev.jetway.kvcache.index.precise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventEncoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrecisePrefixIndexTest {

    private static final int BS = 4;
    private static final String MODEL = "Qwen/Qwen3-32B";

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BS), clock::get);
    private final int a = index.addEndpoint("10.0.0.1:8000", MODEL);
    private final int b = index.addEndpoint("10.0.0.2:8000", MODEL);
    private final FakeVllmEngine engineA = new FakeVllmEngine(BS);
    private final FakeVllmEngine engineB = new FakeVllmEngine(BS);

    private static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    private static int[] concat(int[] x, int[] y) {
        return IntStream.concat(IntStream.of(x), IntStream.of(y)).toArray();
    }

    private void send(int endpoint, FakeVllmEngine engine, KvEvent... events) {
        FakeVllmEngine.Message m = engine.publish(events);
        assertThat(index.onMessage(endpoint, m.seq(), m.payload())).isEqualTo(IntakeResult.APPLIED);
    }

    private PrefixMatches match(int[] prompt) {
        return index.match(MODEL, null, null, prompt);
    }

    @Test
    void storedBlocksAreFoundRemovedBlocksShortenTheMatchAndClearDropsTheEndpoint() {
        int[] prompt = tokens(0, 4 * BS + 2); // 4 full blocks + a partial one the engine does not cache
        send(a, engineA, engineA.store(prompt));

        PrefixMatches m = match(prompt);
        assertThat(m.totalBlocks()).isEqualTo(4);
        assertThat(m.blocks("10.0.0.1:8000")).isEqualTo(4);
        assertThat(m.score("10.0.0.1:8000")).isEqualTo(4.0);
        assertThat(m.blocks("10.0.0.2:8000")).isZero();

        long[] engineHashes = engineA.hashesOf(prompt);
        send(a, engineA, new KvEvent.BlockRemoved(new long[] {engineHashes[3], engineHashes[2]}, null));
        assertThat(match(prompt).blocks("10.0.0.1:8000")).isEqualTo(2);
        assertThat(index.endpointStats(a).blocksRemoved()).isEqualTo(2);

        send(a, engineA, new KvEvent.AllBlocksCleared());
        assertThat(match(prompt).matches()).isEmpty();
        assertThat(index.stats().entries()).isZero();
        assertThat(index.endpointStats(a).engineBlocks()).isZero();
    }

    @Test
    void blocksChainFromTheirParentAcrossBatches() {
        int[] system = tokens(100, 2 * BS);
        int[] turn1 = concat(system, tokens(500, 2 * BS));
        int[] turn2 = concat(system, tokens(900, 3 * BS));
        send(a, engineA, engineA.store(turn1));
        KvEvent.BlockStored second = engineA.store(turn2);
        assertThat(second.parentBlockHash()).as("vLLM names the cached parent").isNotNull();
        assertThat(second.blockHashes()).hasSize(3);
        send(a, engineA, second);

        assertThat(match(turn2).blocks("10.0.0.1:8000")).isEqualTo(5);
        assertThat(match(turn1).blocks("10.0.0.1:8000")).isEqualTo(4);
        assertThat(match(concat(system, tokens(7000, 2 * BS))).blocks("10.0.0.1:8000")).isEqualTo(2);
    }

    @Test
    void blocksWhoseParentIsUnknownAreNotGuessed() {
        int[] system = tokens(100, 2 * BS);
        engineA.store(system); // stored before Jetway subscribed: never seen
        send(a, engineA, engineA.store(concat(system, tokens(300, BS))));

        assertThat(match(concat(system, tokens(300, BS))).matches()).isEmpty();
        assertThat(index.endpointStats(a).orphanBlocks()).isEqualTo(1);
    }

    @Test
    void loraAndCacheSaltSeparateTheChains() {
        int[] prompt = tokens(0, 3 * BS);
        send(a, engineA, engineA.store(prompt, "sql-lora", null, null));
        send(b, engineB, engineB.store(prompt, null, "tenant-7", null));

        assertThat(index.match(MODEL, "sql-lora", null, prompt).blocks("10.0.0.1:8000")).isEqualTo(3);
        assertThat(index.match(MODEL, "sql-lora", null, prompt).blocks("10.0.0.2:8000")).isZero();
        assertThat(index.match(MODEL, null, "tenant-7", prompt).blocks("10.0.0.2:8000")).isEqualTo(3);
        assertThat(index.match(MODEL, null, "tenant-7", prompt).blocks("10.0.0.1:8000")).isZero();
        assertThat(index.match(MODEL, null, "tenant-8", prompt).matches()).isEmpty();
        assertThat(match(prompt).matches()).as("unsalted base model").isEmpty();
    }

    @Test
    void tiersAreWeightedAndTheBestTierOfABlockCounts() {
        int[] prompt = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(prompt, null, null, "CPU"));
        assertThat(match(prompt).score("10.0.0.1:8000")).isCloseTo(1.6, within(1e-9));

        // vLLM offloading: the first block is also in GPU memory now
        long first = engineA.hashesOf(prompt)[0];
        send(a, engineA, new KvEvent.BlockStored(new long[] {first}, null, tokens(0, BS), BS, null, "GPU", null));
        assertThat(match(prompt).score("10.0.0.1:8000")).isCloseTo(1.8, within(1e-9));
        assertThat(match(prompt).blocks("10.0.0.1:8000")).isEqualTo(2);

        // dropping the CPU copy keeps the GPU one, and the engine-key mapping with it
        send(a, engineA, new KvEvent.BlockRemoved(engineA.hashesOf(prompt), "CPU"));
        assertThat(match(prompt).blocks("10.0.0.1:8000")).isEqualTo(1);
        assertThat(match(prompt).score("10.0.0.1:8000")).isEqualTo(1.0);
        assertThat(index.endpointStats(a).engineBlocks()).isEqualTo(1);
    }

    @Test
    void aBlockEvictedBeforeItsDescendantsIsCaughtByTheAuditAndOnlyTheConsecutiveRunCountsFromThen() {
        int[] prompt = tokens(0, 4 * BS);
        send(a, engineA, engineA.store(prompt));
        send(b, engineB, engineB.store(prompt));
        // No engine evicts a block before its descendants (vLLM frees blocks tail first); a lost event could.
        send(b, engineB, new KvEvent.BlockRemoved(new long[] {engineB.hashesOf(prompt)[1]}, null));
        assertThat(index.endpointStats(b).gapped()).isFalse();

        match(prompt); // bisection can overshoot b's run here; the audit re-runs this lookup block by block
        index.expireDue();
        assertThat(index.endpointStats(b).gapped()).isTrue();
        assertThat(index.endpointStats(b).gapsFound()).isEqualTo(1);
        assertThat(index.endpointStats(a).gapped()).as("a's entries are closed").isFalse();

        PrefixMatches m = match(prompt);
        assertThat(m.blocks("10.0.0.2:8000")).as("blocks 2 and 3 are held but unreachable").isEqualTo(1);
        assertThat(m.blocks("10.0.0.1:8000")).isEqualTo(4);
        assertThat(m.matches().getFirst().endpoint()).as("best first").isEqualTo("10.0.0.1:8000");

        send(b, engineB, new KvEvent.AllBlocksCleared());
        assertThat(index.endpointStats(b).gapped()).as("nothing left to have gaps").isFalse();
        int[] next = tokens(500, 4 * BS);
        send(b, engineB, engineB.store(next));
        assertThat(match(next).blocks("10.0.0.2:8000")).isEqualTo(4);
        index.expireDue();
        assertThat(index.endpointStats(b).gapsFound()).as("no new gap").isEqualTo(1);
    }

    @Test
    void evictingTheTailShortensTheRunWithoutAGap() {
        int[] prompt = tokens(0, 6 * BS);
        send(a, engineA, engineA.store(prompt));
        long[] hashes = engineA.hashesOf(prompt);
        for (int keep = 5; keep >= 0; keep--) {
            send(a, engineA, new KvEvent.BlockRemoved(new long[] {hashes[keep]}, null));
            assertThat(match(prompt).blocks("10.0.0.1:8000")).isEqualTo(keep);
            index.expireDue();
        }
        assertThat(index.endpointStats(a).gapsFound()).isZero();
    }

    @Test
    void speculativeEntriesServeSiblingsUntilConfirmedOrExpired() {
        int[] prompt = tokens(0, 3 * BS);
        long[] keys = index.requestKeys(MODEL, null, null, prompt);
        index.speculate(a, keys);
        assertThat(match(prompt).blocks("10.0.0.1:8000")).isEqualTo(3);

        clock.addAndGet(Duration.ofMillis(2_001).toNanos());
        assertThat(match(prompt).matches()).as("expired, even before cleanup").isEmpty();
        index.expireDue();
        assertThat(index.stats().entries()).isZero();
        assertThat(index.stats().speculativeExpired()).isEqualTo(3);

        index.speculate(b, keys);
        clock.addAndGet(Duration.ofMillis(500).toNanos());
        send(b, engineB, engineB.store(prompt));
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        index.expireDue();
        assertThat(match(prompt).blocks("10.0.0.2:8000")).as("confirmed by the event").isEqualTo(3);
        assertThat(index.stats().speculativeConfirmed()).isEqualTo(3);
    }

    @Test
    void aSequenceGapDropsTheEndpointAndRebuildsFromNewEvents() {
        int[] old = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(old));
        send(b, engineB, engineB.store(old));
        engineA.skip(3);
        int[] fresh = tokens(1000, 2 * BS);
        FakeVllmEngine.Message m = engineA.publish(engineA.store(fresh));

        assertThat(index.onMessage(a, m.seq(), m.payload())).isEqualTo(IntakeResult.RESYNCED_AFTER_GAP);

        assertThat(match(old).blocks("10.0.0.1:8000")).as("untrusted: dropped").isZero();
        assertThat(match(old).blocks("10.0.0.2:8000")).as("other endpoints untouched").isEqualTo(2);
        assertThat(match(fresh).blocks("10.0.0.1:8000")).isEqualTo(2);
        assertThat(index.endpointStats(a).sequenceGaps()).isEqualTo(1);
        send(a, engineA, new KvEvent.BlockRemoved(new long[0], null));
    }

    @Test
    void aPublisherRestartDropsTheEndpoint() {
        int[] old = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(old));
        send(a, engineA, engineA.store(tokens(50, BS)));
        engineA.restartPublisher();
        FakeVllmEngine.Message m = engineA.publish(new KvEvent.AllBlocksCleared());

        assertThat(index.onMessage(a, m.seq(), m.payload())).isEqualTo(IntakeResult.RESYNCED_AFTER_RESTART);
        assertThat(match(old).matches()).isEmpty();
        assertThat(index.endpointStats(a).publisherRestarts()).isEqualTo(1);
        assertThat(index.endpointStats(a).lastSeq()).isZero();
    }

    @Test
    void malformedMessagesAreDroppedWithTheEndpointsEntriesAndNothingThrows() {
        int[] prompt = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(prompt));

        assertThat(index.onMessage(a, 1, new byte[] {(byte) 0x93, 1})).isEqualTo(IntakeResult.MALFORMED_DROPPED);
        assertThat(match(prompt).matches()).isEmpty();
        assertThat(index.endpointStats(a).malformedMessages()).isEqualTo(1);
        assertThat(index.onMessage(99, 0, new byte[0])).isEqualTo(IntakeResult.UNKNOWN_ENDPOINT);

        byte[] wrongTokenCount = KvEventEncoder.encode(new KvEventBatch(1, List.of(new KvEvent.BlockStored(
                new long[] {1, 2}, null, tokens(0, BS), BS, null, null, null)), null));
        assertThat(index.onMessage(a, 2, wrongTokenCount)).isEqualTo(IntakeResult.APPLIED);
        assertThat(index.endpointStats(a).rejectedEvents()).isEqualTo(1);
        assertThat(index.stats().entries()).isZero();
    }

    @Test
    void anEndpointRoutedManyRequestsWithoutOneMessageBackIsSilentOnceTheFirstIsOverdue() {
        int[] cached = tokens(0, 2 * BS);
        send(b, engineB, engineB.store(cached));
        for (int i = 0; i < 5; i++) {
            index.speculate(a, index.requestKeys(MODEL, null, null, tokens(1_000 * (i + 1), 3 * BS)));
        }
        index.expect(a, index.requestKeys(MODEL, null, null, tokens(9_000, BS)));
        index.speculate(a, index.requestKeys(MODEL, null, null, tokens(0, BS - 1))); // no full block: nothing new
        assertThat(index.endpointStats(a).routedSinceHeard()).isEqualTo(6);
        // a request whose blocks the endpoint already holds owes no event
        index.speculate(b, index.requestKeys(MODEL, null, null, cached));
        assertThat(index.endpointStats(b).routedSinceHeard()).isZero();

        for (int i = 6; i < PrecisePrefixIndex.SILENT_AFTER_ROUTED; i++) {
            index.speculate(a, index.requestKeys(MODEL, null, null, tokens(1_000 * (i + 1), 3 * BS)));
        }
        assertThat(index.endpointStats(a).silent()).as("enough requests, but the first is not overdue yet").isFalse();
        clock.addAndGet(PreciseIndexConfig.defaults(BS).parityTimeout().toNanos());
        assertThat(index.endpointStats(a).silent()).isTrue();
        assertThat(index.endpointStats(b).silent()).isFalse();

        send(a, engineA, engineA.store(tokens(50_000, BS)));
        assertThat(index.endpointStats(a).routedSinceHeard()).as("heard from: the count starts again").isZero();
        assertThat(index.endpointStats(a).silent()).isFalse();
        index.speculate(a, index.requestKeys(MODEL, null, null, tokens(60_000, 2 * BS)));
        assertThat(index.endpointStats(a).routedSinceHeard()).isEqualTo(1);
    }

    @Test
    void parityIsOneWhenTheEngineCachesWhatJetwayHashed() {
        send(a, engineA, engineA.store(tokens(900_000, BS))); // the subscription is live
        for (int r = 0; r < 20; r++) {
            int[] prompt = concat(tokens(0, 2 * BS), tokens(10_000 + r * 100, 2 * BS)); // shared system prompt
            index.speculate(a, index.requestKeys(MODEL, null, null, prompt));
            clock.addAndGet(Duration.ofMillis(30).toNanos());
            KvEvent.BlockStored stored = engineA.store(prompt);
            send(a, engineA, stored);
        }
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        ParityReport report = index.parity(a);
        assertThat(report.samples()).isEqualTo(20);
        assertThat(report.ratio()).isEqualTo(1.0);
        assertThat(report.hint()).isEqualTo(ParityHint.NONE);
        assertThat(index.poolParity().ratio()).isEqualTo(1.0);
    }

    @Test
    void parityFallsWhenTheEngineUsesAnotherBlockSize() {
        FakeVllmEngine misconfigured = new FakeVllmEngine(2 * BS);
        send(b, misconfigured, misconfigured.store(tokens(900_000, 2 * BS))); // the subscription is live
        for (int r = 0; r < 20; r++) {
            int[] prompt = tokens(r * 1000, 4 * BS);
            index.speculate(b, index.requestKeys(MODEL, null, null, prompt));
            send(b, misconfigured, misconfigured.store(prompt));
        }
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        ParityReport report = index.parity(b);
        assertThat(report.samples()).isEqualTo(20);
        assertThat(report.ratio()).isZero();
        assertThat(report.hint()).isEqualTo(ParityHint.BLOCK_SIZE_MISMATCH);
        assertThat(report.engineBlockSize()).isEqualTo(2 * BS);
    }

    @Test
    void parityFallsAndPointsAtTokensWhenTheEngineSaltsWhatJetwayDidNot() {
        send(a, engineA, engineA.store(tokens(900_000, BS))); // the subscription is live
        for (int r = 0; r < 20; r++) {
            int[] prompt = tokens(r * 1000, 2 * BS);
            index.expect(a, index.requestKeys(MODEL, null, null, prompt));
            // every 4th request the engine sees a salt Jetway was not told about
            send(a, engineA, engineA.store(prompt, null, r % 4 == 0 ? "salt" : null, null));
        }
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        ParityReport report = index.parity(a);
        assertThat(report.ratio()).isEqualTo(0.75);
        assertThat(report.hint()).isEqualTo(ParityHint.TOKENS_DIFFER);
    }

    @Test
    void requestsRoutedBeforeThePublisherWasHeardFromAreNotJudged() {
        // A ZMQ subscriber misses what was published before it joined: silence before the first message proves nothing.
        int[] early = tokens(0, 2 * BS);
        index.expect(a, index.requestKeys(MODEL, null, null, early));
        engineA.store(early); // published, but before the subscription was live: never received
        send(a, engineA, engineA.store(tokens(5_000, 2 * BS)));
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        assertThat(index.parity(a).samples()).isZero();
    }

    @Test
    void aGatewayThatJoinsWarmEnginesDoesNotCountTheirUnknownPrefixesAsDisagreement() {
        // The engine cached a system prompt before this gateway subscribed (a gateway restart in front of warm
        // replicas). A request on that prompt makes the engine store only its new tail, under a parent the index never
        // saw: an orphan the index cannot key. Meanwhile other traffic stores blocks normally.
        int[] system = tokens(0, 2 * BS);
        engineA.store(system); // before the subscription was live: never received
        send(a, engineA, engineA.store(tokens(900_000, BS))); // the subscription is live
        index.expect(a, index.requestKeys(MODEL, null, null, concat(system, tokens(5_000, 2 * BS))));
        send(a, engineA, engineA.store(concat(system, tokens(5_000, 2 * BS))));
        assertThat(index.endpointStats(a).orphanBlocks()).isEqualTo(2);
        send(a, engineA, engineA.store(tokens(70_000, 2 * BS))); // someone else's request, keyed normally
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        assertThat(index.parity(a).samples()).as("an orphan in the window may be the request's own blocks").isZero();

        // once the index knows the prefix again, requests on it are judged as usual
        send(a, engineA, engineA.store(concat(tokens(90_000, BS), system)));
        int[] known = concat(tokens(90_000, BS), concat(system, tokens(6_000, BS)));
        index.expect(a, index.requestKeys(MODEL, null, null, known));
        send(a, engineA, engineA.store(known));
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();
        assertThat(index.parity(a).samples()).isEqualTo(1);
        assertThat(index.parity(a).ratio()).isEqualTo(1.0);
    }

    @Test
    void aResetRightAfterTheConfirmingBlockStoredDoesNotTurnAgreementIntoDisagreement() {
        send(a, engineA, engineA.store(tokens(900_000, BS))); // the subscription is live
        int[] prompt = tokens(0, 2 * BS);
        index.expect(a, index.requestKeys(MODEL, null, null, prompt));
        send(a, engineA, engineA.store(prompt)); // confirms the request, within the same parity interval
        send(a, engineA, new KvEvent.AllBlocksCleared()); // the replica restarts before the next check
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        assertThat(index.parity(a).samples()).isEqualTo(1);
        assertThat(index.parity(a).ratio()).isEqualTo(1.0);
    }

    @Test
    void requestsTheEndpointAlreadyCachedOrNeverPublishedAreNotJudged() {
        int[] prompt = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(prompt));
        index.expect(a, index.requestKeys(MODEL, null, null, prompt)); // fully cached: no event will come
        index.expect(b, index.requestKeys(MODEL, null, null, prompt)); // b publishes nothing
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        index.expireDue();

        assertThat(index.parity(a).samples()).isZero();
        assertThat(index.parity(b).samples()).isZero();
        assertThat(index.parity(b).ratio()).isNaN();
        assertThat(index.parity(b).hint()).isEqualTo(ParityHint.TOO_FEW_SAMPLES);
    }

    @Test
    void theEntryBoundEvictsLeastRecentlyStoredEntriesAndTheirEngineKeys() {
        PrecisePrefixIndex bounded = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BS).withMaxEntries(1_000),
                clock::get);
        int ep = bounded.addEndpoint("10.0.0.9:8000", MODEL);
        FakeVllmEngine engine = new FakeVllmEngine(BS);
        for (int r = 0; r < 3_000; r++) {
            bounded.apply(ep, new KvEventBatch(1, List.of(engine.store(tokens(r * 10, BS))), null));
        }

        IndexStats stats = bounded.stats();
        assertThat(stats.entries()).isLessThanOrEqualTo(1_000).isGreaterThanOrEqualTo(800);
        assertThat(stats.evictedEntries()).isEqualTo(3_000 - stats.entries());
        int oldSurvivors = 0;
        for (int r = 0; r < 1_000; r++) {
            oldSurvivors += bounded.match(MODEL, null, null, tokens(r * 10, BS)).blocks("10.0.0.9:8000");
        }
        assertThat(oldSurvivors).as("the first third stored is (almost) all gone").isLessThan(50);
        for (int r = 2_990; r < 3_000; r++) {
            assertThat(bounded.match(MODEL, null, null, tokens(r * 10, BS)).blocks("10.0.0.9:8000")).isEqualTo(1);
        }
        assertThat(bounded.endpointStats(ep).engineBlocks()).as("engine-key map shrinks too")
                .isEqualTo(stats.entries());
        assertThat(bounded.endpointStats(ep).gapped()).as("eviction picks slots, not chain tails: read block by block")
                .isTrue();
    }

    @Test
    void endpointsBeyondTheFirst64AndMixedTiersMatchTheSameWay() {
        int[] ids = new int[70];
        for (int e = 2; e < 70; e++) {
            ids[e] = index.addEndpoint("10.0.1." + e + ":8000", MODEL);
        }
        int[] prompt = tokens(0, 4 * BS);
        FakeVllmEngine e65 = new FakeVllmEngine(BS);
        FakeVllmEngine e66 = new FakeVllmEngine(BS);
        index.apply(ids[65], new KvEventBatch(1, List.of(e65.store(prompt)), null));
        index.apply(ids[66], new KvEventBatch(1, List.of(e66.store(tokens(0, 2 * BS), null, null, "CPU")), null));
        index.speculate(ids[67], index.requestKeys(MODEL, null, null, prompt));
        send(a, engineA, engineA.store(tokens(0, 3 * BS)));

        PrefixMatches m = match(prompt);
        assertThat(m.blocks("10.0.1.65:8000")).isEqualTo(4);
        assertThat(m.score("10.0.1.65:8000")).isEqualTo(4.0);
        assertThat(m.blocks("10.0.1.66:8000")).isEqualTo(2);
        assertThat(m.score("10.0.1.66:8000")).isCloseTo(1.6, within(1e-9));
        assertThat(m.blocks("10.0.1.67:8000")).as("speculative").isEqualTo(4);
        assertThat(m.blocks("10.0.0.1:8000")).isEqualTo(3);
        assertThat(m.matches()).hasSize(4);
    }

    @Test
    void theGpuOnlyFastPathAndTheGeneralPathAgree() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        FakeVllmEngine[] engines = {engineA, engineB};
        int[][] prompts = new int[40][];
        for (int p = 0; p < prompts.length; p++) {
            prompts[p] = concat(tokens(0, (1 + random.nextInt(3)) * BS), tokens(1_000 * p, random.nextInt(6) * BS));
            int e = random.nextInt(2);
            KvEvent.BlockStored stored = engines[e].store(prompts[p]);
            if (stored != null) {
                send(e == 0 ? a : b, engines[e], stored);
            }
        }
        for (int p = 0; p < prompts.length; p += 3) { // punch holes
            int e = random.nextInt(2);
            long[] hashes = engines[e].hashesOfCached(prompts[p]);
            if (hashes.length > 1) {
                send(e == 0 ? a : b, engines[e], new KvEvent.BlockRemoved(new long[] {hashes[1]}, null));
            }
        }
        for (int[] prompt : prompts) { // the closure audit finds the endpoints whose holes bisection would skip
            match(prompt);
            index.expireDue();
        }
        List<PrefixMatches> fast = java.util.Arrays.stream(prompts).map(this::match).toList();
        FakeVllmEngine other = new FakeVllmEngine(BS);
        int c = index.addEndpoint("10.0.0.3:8000", MODEL);
        index.apply(c, new KvEventBatch(1, List.of(other.store(tokens(555_555, BS), null, null, "CPU")), null));
        List<PrefixMatches> general = java.util.Arrays.stream(prompts).map(this::match).toList();

        for (int p = 0; p < prompts.length; p++) {
            assertThat(general.get(p).matches()).as("prompt " + p).isEqualTo(fast.get(p).matches());
        }
        assertThat(fast.stream().mapToInt(m -> m.matches().size()).sum()).as("the data has hits").isPositive();
    }

    @Test
    void removingAnEndpointForgetsItsEntries() {
        int[] prompt = tokens(0, 2 * BS);
        send(a, engineA, engineA.store(prompt));
        index.speculate(a, index.requestKeys(MODEL, null, null, tokens(77, BS)));
        index.removeEndpoint(a);

        assertThat(match(prompt).matches()).isEmpty();
        assertThat(index.stats().entries()).isZero();
        assertThat(index.endpointId("10.0.0.1:8000")).isEmpty();
        assertThat(index.addEndpoint("10.0.0.3:8000", MODEL)).as("id reused").isEqualTo(a);
    }
}
