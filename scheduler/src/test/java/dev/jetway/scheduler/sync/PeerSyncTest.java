package dev.jetway.scheduler.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InFlightCounts;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PeerSyncTest {

    private static final int[] PROMPT = IntStream.range(0, 640).toArray();

    private static Scheduler scheduler() {
        return Scheduler.fromConfig(EndpointPickerConfig.builtIn("approximate"),
                SchedulerEnvironment.deterministic(() -> 0L, 1));
    }

    private static List<Endpoint> endpoints() {
        return List.of(new Endpoint("e0", "10.0.0.1:8000", Map.of()), new Endpoint("e1", "10.0.0.2:8000", Map.of()),
                new Endpoint("e2", "10.0.0.3:8000", Map.of()));
    }

    private static ApproxPrefixCacheProducer approx(Scheduler s) {
        return s.plugins(ApproxPrefixCacheProducer.class).getFirst();
    }

    @Test
    void aPeersRoutingRecordsReachThisReplicasIndexWithoutEchoing() {
        Scheduler a = scheduler();
        Scheduler b = scheduler();
        List<Endpoint> onA = endpoints();
        List<Endpoint> onB = endpoints();
        PeerSync syncA = new PeerSync(a, "a");
        PeerSync syncB = new PeerSync(b, "b");
        SchedulingResult r = a.schedule(InferenceRequest.builder("r1").model("m").tokenIds(PROMPT).build(), onA);
        Endpoint target = r.primaryEndpoint();
        a.preRequest(r, target);

        RoutingDigest digest = syncA.export(onA);
        assertThat(digest.routed()).hasSize(1);
        assertThat(digest.routed().getFirst().endpointId()).isEqualTo(target.id());
        assertThat(digest.load()).extracting(EndpointLoad::endpointId).containsExactly(target.id());

        assertThat(syncB.apply(digest, onB, 0)).isTrue();
        assertThat(approx(b).index().size(target.id())).isEqualTo(digest.routed().getFirst().keys().length);
        // what B learned from A is not in B's next digest
        assertThat(syncB.export(onB).routed()).isEmpty();
        // and a digest of its own is ignored
        assertThat(syncA.apply(syncA.export(onA), onA, 0)).isFalse();
    }

    @Test
    void peersInFlightCountsAddToTheLoadUntilThePeerFallsSilent() {
        Scheduler a = scheduler();
        Scheduler b = scheduler();
        List<Endpoint> onA = endpoints();
        List<Endpoint> onB = endpoints();
        PeerSync syncB = new PeerSync(b, "b");
        SchedulingResult r = a.schedule(InferenceRequest.builder("r1").model("m").tokenIds(PROMPT).build(), onA);
        a.preRequest(r, onA.get(1));
        syncB.apply(new PeerSync(a, "a").export(onA), onB, 1_000);
        Endpoint e1 = onB.get(1);
        assertThat(e1.inFlightRequests()).isEqualTo(1);
        assertThat(e1.inFlightTokens()).isEqualTo(PROMPT.length);
        assertThat(e1.ownInFlight()).isEqualTo(InFlightCounts.ZERO);
        assertThat(syncB.livePeers()).isEqualTo(1);

        assertThat(syncB.expire(onB, 1_000 + 500, 1_000)).isZero();
        assertThat(syncB.expire(onB, 1_000 + 1_001, 1_000)).isEqualTo(1);
        assertThat(e1.inFlightRequests()).isZero();
        assertThat(syncB.livePeers()).isZero();
    }

    @Test
    void anOlderDigestsLoadDoesNotReplaceANewerOne() {
        PeerSync sync = new PeerSync(scheduler(), "b");
        List<Endpoint> onB = endpoints();
        InFlightCounts two = new InFlightCounts(2, 0, 0, 0);
        sync.apply(new RoutingDigest("a", 5, List.of(), List.of(new EndpointLoad("e0", two)), 0), onB, 0);
        sync.apply(new RoutingDigest("a", 4, List.of(), List.of(), 0), onB, 0);
        assertThat(onB.get(0).inFlightRequests()).isEqualTo(2);
        assertThat(sync.stats().staleLoads()).isEqualTo(1);
        // records for an endpoint or a plugin this replica does not have are counted, not applied
        sync.apply(new RoutingDigest("a", 6, List.of(new RoutedBlocks("approx-prefix-cache-producer", "gone",
                new long[] {1}), new RoutedBlocks("other", "e0", new long[] {1})), List.of(), 0), onB, 0);
        assertThat(sync.stats().recordsIgnored()).isEqualTo(2);
    }

    @Test
    void peersReportingHugeLoadsSaturateInsteadOfWrappingToANegativeLoad() {
        // found by PeerDigestFuzzTest: the sum of several peers' reports wrapped around
        Scheduler b = scheduler();
        PeerSync sync = new PeerSync(b, "b");
        List<Endpoint> onB = endpoints();
        InFlightCounts huge = new InFlightCounts(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);
        for (String peer : List.of("a", "c", "d")) {
            sync.apply(new RoutingDigest(peer, 1, List.of(), List.of(new EndpointLoad("e0", huge)), 0), onB, 0);
        }
        Endpoint e0 = onB.getFirst();
        // and this gateway's own request on top
        b.preRequest(b.schedule(InferenceRequest.builder("r1").model("m").tokenIds(PROMPT).build(), List.of(e0)), e0);
        assertThat(e0.ownInFlight().requests()).isEqualTo(1);
        assertThat(e0.peerInFlight()).isEqualTo(new InFlightCounts(Integer.MAX_VALUE / 2, Long.MAX_VALUE / 2,
                Long.MAX_VALUE / 2, Integer.MAX_VALUE / 2));
        assertThat(e0.inFlightRequests()).isPositive();
        assertThat(e0.inFlightTokens()).isPositive();
        assertThat(e0.inFlightContextTokens()).isPositive();
        assertThat(e0.inFlightPrefills()).isPositive();
        assertThat(new InFlightCounts(3, 4, 5, 6).plus(new InFlightCounts(1, 1, 1, 1)))
                .isEqualTo(new InFlightCounts(4, 5, 6, 7));
    }

    @Test
    void aFullJournalDropsItsOldestRecords() {
        RoutingJournal journal = new RoutingJournal(10);
        for (int i = 0; i < 4; i++) {
            journal.add(new RoutedBlocks("p", "e" + i, new long[4]));
        }
        RoutingJournal.Drained d = journal.drain();
        assertThat(d.records()).extracting(RoutedBlocks::endpointId).containsExactly("e2", "e3");
        assertThat(d.dropped()).isEqualTo(2);
        assertThat(journal.drain().records()).isEmpty();
    }
}
