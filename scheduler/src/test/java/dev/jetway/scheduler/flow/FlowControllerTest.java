package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.MS;
import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static dev.jetway.scheduler.flow.FlowFixtures.band;
import static dev.jetway.scheduler.flow.FlowFixtures.concurrency;
import static dev.jetway.scheduler.flow.FlowFixtures.config;
import static dev.jetway.scheduler.flow.FlowFixtures.endpoint;
import static dev.jetway.scheduler.flow.FlowFixtures.scrape;
import static dev.jetway.scheduler.flow.FlowFixtures.utilization;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.flow.FlowFixtures.Recorder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowControllerTest {

    private final Recorder rec = new Recorder();
    private long now = 10 * S;

    /** One endpoint, utilization detector (queue 5): waiting 5 = saturated, 0 = empty. */
    private final Endpoint ep = endpoint("ep0", 5, 0.0, now);
    private final List<Endpoint> pool = List.of(ep);

    private FlowController controller(FlowControlConfig config) {
        return new FlowController(config);
    }

    private FlowController defaults() {
        return controller(config(utilization()));
    }

    private void idle() {
        scrape(ep, 0, 0.0, now);
    }

    @Test
    void aRequestGoesStraightThroughWhenNothingWaitsAndThePoolHasRoom() {
        idle();
        FlowController fc = defaults();
        FlowTicket t = fc.submit(rec.request("a", 0, "t1"), pool, now);
        assertThat(rec.dispatched).containsExactly(t); // before submit returned
        assertThat(t.state()).isEqualTo(FlowTicket.State.DISPATCHED);
        assertThat(t.fastPath()).isTrue();
        assertThat(t.queueNanos()).isZero();
        FlowSnapshot s = fc.snapshot();
        assertThat(s.queuedRequests()).isZero();
        assertThat(s.inTransitRequests()).isEqualTo(1);
        assertThat(s.inTransitTokens()).isEqualTo(10);
        fc.acknowledge(t);
        assertThat(t.state()).isEqualTo(FlowTicket.State.RUNNING);
        assertThat(fc.snapshot().inTransitRequests()).isZero();
        fc.finished(t);
        assertThat(t.state()).isEqualTo(FlowTicket.State.FINISHED);
    }

    @Test
    void aSaturatedPoolQueuesAndReleasesWhenItHasRoom() {
        FlowController fc = defaults();
        FlowTicket t = fc.submit(rec.request("a", 0, "t1"), pool, now);
        assertThat(t.state()).isEqualTo(FlowTicket.State.QUEUED);
        assertThat(t.queueNanos()).isEqualTo(-1);
        assertThat(rec.dispatched).isEmpty();
        assertThat(fc.snapshot().poolSaturation()).isEqualTo(1.0);
        now += 20 * MS;
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).isEmpty();
        idle();
        now += 20 * MS;
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).containsExactly(t);
        assertThat(t.fastPath()).isFalse();
        assertThat(t.queueNanos()).isEqualTo(40 * MS);
    }

    @Test
    void bandsDispatchInStrictPriorityOrder() {
        FlowController fc = defaults();
        fc.submit(rec.request("sheddable", -1, "t"), pool, now);
        fc.submit(rec.request("standard", 0, "t"), pool, now);
        fc.submit(rec.request("critical", 10, "t"), pool, now);
        fc.submit(rec.request("standard-2", 0, "t"), pool, now);
        idle();
        fc.dispatch(pool, now);
        assertThat(rec.dispatchedIds()).containsExactly("critical", "standard", "standard-2", "sheddable");
    }

    @Test
    void aHigherPriorityRequestOvertakesWaitingLowerOnesOnTheFastPath() {
        FlowController fc = defaults();
        fc.submit(rec.request("low", 0, "t"), pool, now);
        idle(); // room now, but no dispatch cycle has run yet
        FlowTicket high = fc.submit(rec.request("high", 5, "t"), pool, now);
        assertThat(high.fastPath()).isTrue();
        assertThat(rec.dispatchedIds()).containsExactly("high");
        FlowTicket same = fc.submit(rec.request("low-2", 0, "t"), pool, now);
        // something of its priority waits: it queues behind it, and the cycle releases both in order
        assertThat(same.fastPath()).isFalse();
        assertThat(rec.dispatchedIds()).containsExactly("high", "low", "low-2");
    }

    @Test
    void theBlockedBandHoldsEveryBandBelowIt() {
        // the pool has room for exactly one more request (concurrency 2, one in flight)
        Fixtures.inFlight(ep, 1, 0);
        FlowController fc = controller(config(concurrency(2)));
        FlowTicket first = fc.submit(rec.request("first", 0, "t"), pool, now);
        assertThat(first.fastPath()).isTrue();
        fc.submit(rec.request("high", 10, "t"), pool, now);
        fc.submit(rec.request("low", -5, "t"), pool, now);
        assertThat(rec.dispatchedIds()).containsExactly("first");
        Fixtures.inFlight(ep, 1, 0);
        fc.acknowledge(first);
        Fixtures.inFlight(ep, -1, 0); // one finishes: room for one
        fc.dispatch(pool, now);
        fc.dispatch(pool, now);
        assertThat(rec.dispatchedIds()).containsExactly("first", "high");
    }

    @Test
    void theUsageLimitIsTheSaturationUpToWhichBandsDispatch() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(), new StaticUsageLimit("half", 0.5),
                concurrency(10), false, null));
        for (int i = 0; i < 10; i++) {
            fc.submit(rec.request("r" + i, 0, "t"), pool, now);
        }
        assertThat(rec.dispatched).hasSize(5); // 5 of 10 in transit: saturation 0.5
        assertThat(fc.snapshot().poolSaturation()).isEqualTo(0.5);
    }

    @Test
    void roundRobinGivesTwoTenantsAtEqualPriorityEqualShares() {
        FlowController fc = controller(config(concurrency(100), band(0, new RoundRobinFairness("rr"),
                new FcfsOrdering("fcfs"), Duration.ofSeconds(60))));
        Fixtures.inFlight(ep, 100, 0); // full
        for (int i = 0; i < 300; i++) {
            fc.submit(rec.request("a" + i, 0, "tenant-a"), pool, now); // a heavy tenant arrives first
        }
        for (int i = 0; i < 100; i++) {
            fc.submit(rec.request("b" + i, 0, "tenant-b"), pool, now);
        }
        Fixtures.inFlight(ep, -100, 0); // room for 100
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).hasSize(100);
        long a = rec.dispatched.stream().filter(t -> t.request().fairnessId().equals("tenant-a")).count();
        long b = rec.dispatched.size() - a;
        assertThat(Math.abs(a - b)).isLessThanOrEqualTo(10); // within 10% of the 100
        assertThat(fc.snapshot().band(0).flows()).hasSize(2);
    }

    @Test
    void globalStrictFairnessIsOneOrderOverAllFlows() {
        FlowController fc = controller(config(concurrency(100)));
        Fixtures.inFlight(ep, 100, 0);
        for (int i = 0; i < 30; i++) {
            fc.submit(rec.request("a" + i, 0, "tenant-a"), pool, now);
        }
        fc.submit(rec.request("b0", 0, "tenant-b"), pool, now);
        Fixtures.inFlight(ep, -100, 0);
        fc.dispatch(pool, now);
        assertThat(rec.dispatchedIds().getLast()).isEqualTo("b0"); // arrival order, not turns
        assertThat(rec.dispatched).hasSize(31);
    }

    @Test
    void aRequestPastItsTtlIs429WhileThePoolHasEndpoints() {
        FlowController fc = controller(config(utilization(), band(0, new GlobalStrictFairness("g"),
                new FcfsOrdering("f"), Duration.ofSeconds(1))));
        FlowTicket old = fc.submit(rec.request("old", 0, "t"), pool, now);
        now += 600 * MS;
        FlowTicket young = fc.submit(rec.request("young", 0, "t"), pool, now);
        now += 500 * MS;
        fc.dispatch(pool, now);
        assertThat(rec.rejected).containsExactly(old);
        assertThat(old.outcome()).isEqualTo(FlowOutcome.TTL_EXPIRED);
        assertThat(old.outcome().httpStatus()).isEqualTo(429);
        assertThat(old.outcome().droppedReason()).isEqualTo("rejected-ttl-expired");
        assertThat(old.queueNanos()).isEqualTo(1100 * MS);
        assertThat(young.state()).isEqualTo(FlowTicket.State.QUEUED);
        assertThat(fc.snapshot().queuedRequests()).isEqualTo(1);
    }

    @Test
    void withoutEndpointsARequestWaitsNoEndpointRequestTtlThenGets503() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(300), d.defaultBand(), null, List.of(), d.usageLimit(), utilization(), false,
                null));
        FlowTicket t = fc.submit(rec.request("a", 0, "t"), List.of(), now);
        assertThat(t.state()).isEqualTo(FlowTicket.State.QUEUED); // an empty pool is a waiting room
        now += 120 * S; // past the 60 s of a pool with endpoints, within the 300 s of one without
        fc.dispatch(List.of(), now);
        assertThat(t.state()).isEqualTo(FlowTicket.State.QUEUED);
        now += 181 * S;
        fc.dispatch(List.of(), now);
        assertThat(t.outcome()).isEqualTo(FlowOutcome.TTL_EXPIRED_NO_ENDPOINTS);
        assertThat(t.outcome().httpStatus()).isEqualTo(503);
        assertThat(t.outcome().droppedReason()).isEqualTo("rejected-no-endpoints");
    }

    @Test
    void endpointsAppearingStartAFreshBudgetWithinTheLongerBound() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(300), d.defaultBand(), null, List.of(), d.usageLimit(), utilization(), false,
                null));
        FlowTicket t = fc.submit(rec.request("a", 0, "t"), List.of(), now);
        now += 250 * S; // scaled from zero: an endpoint comes up, still saturated
        fc.dispatch(pool, now);
        assertThat(t.state()).as("a fresh 60 s budget, not 250 s already spent").isEqualTo(FlowTicket.State.QUEUED);
        now += 51 * S; // 301 s in all: past the longer budget
        fc.dispatch(pool, now);
        assertThat(t.outcome()).isEqualTo(FlowOutcome.TTL_EXPIRED);
    }

    @Test
    void aZeroTtlNeverExpires() {
        FlowController fc = controller(config(utilization(), band(0, new GlobalStrictFairness("g"),
                new FcfsOrdering("f"), Duration.ZERO)));
        FlowTicket t = fc.submit(rec.request("a", 0, "t"), pool, now);
        now += 3600 * S;
        fc.dispatch(pool, now);
        assertThat(t.state()).isEqualTo(FlowTicket.State.QUEUED);
    }

    @Test
    void aCancelledRequestIsGoneAtOnce() {
        FlowController fc = defaults();
        FlowTicket a = fc.submit(rec.request("a", 0, "t"), pool, now);
        FlowTicket b = fc.submit(rec.request("b", 0, "t"), pool, now);
        assertThat(fc.cancel(a, now + MS)).isTrue();
        assertThat(a.outcome()).isEqualTo(FlowOutcome.CONTEXT_CANCELLED);
        assertThat(a.outcome().httpStatus()).isEqualTo(503);
        assertThat(rec.rejected).containsExactly(a);
        assertThat(fc.snapshot().queuedRequests()).isEqualTo(1);
        assertThat(fc.cancel(a, now)).isFalse();
        idle();
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).containsExactly(b);
        assertThat(fc.cancel(b, now)).isFalse(); // dispatched: finished() reports it
    }

    @Test
    void globalRequestLimitRejectsAtOnce() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 3, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(), d.usageLimit(), utilization(), false,
                null));
        for (int i = 0; i < 2; i++) {
            fc.submit(rec.request("lo" + i, 0, "t"), pool, now);
        }
        fc.submit(rec.request("hi", 10, "t"), pool, now); // another band: the global limit counts all
        FlowTicket over = fc.submit(rec.request("over", 20, "t"), pool, now);
        assertThat(over.outcome()).isEqualTo(FlowOutcome.CAPACITY);
        assertThat(over.outcome().httpStatus()).isEqualTo(429);
        assertThat(over.outcome().droppedReason()).isEqualTo("rejected-saturated");
        assertThat(fc.snapshot().queuedRequests()).isEqualTo(3);
    }

    @Test
    void globalByteLimitRejectsAtOnce() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 250, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(), d.usageLimit(), utilization(), false,
                null));
        fc.submit(rec.request("a", 0, "t", 100), pool, now);
        fc.submit(rec.request("b", 0, "t", 100), pool, now);
        assertThat(fc.submit(rec.request("c", 0, "t", 100), pool, now).outcome()).isEqualTo(FlowOutcome.CAPACITY);
        assertThat(fc.submit(rec.request("d", 0, "t", 50), pool, now).state()).isEqualTo(FlowTicket.State.QUEUED);
        assertThat(fc.snapshot().queuedBytes()).isEqualTo(250);
    }

    @Test
    void bandLimitsInRequestsAndBytesApplyPerBand() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        PriorityBand small = new PriorityBand(-1, 1000, 2, d.defaultBand().fairness(), d.defaultBand().ordering(),
                Duration.ofSeconds(60));
        PriorityBand tiny = new PriorityBand(5, 150, 100, d.defaultBand().fairness(), d.defaultBand().ordering(),
                Duration.ofSeconds(60));
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(small, tiny), d.usageLimit(), utilization(),
                false, null));
        fc.submit(rec.request("s1", -1, "t"), pool, now);
        fc.submit(rec.request("s2", -1, "t"), pool, now);
        assertThat(fc.submit(rec.request("s3", -1, "t"), pool, now).outcome()).isEqualTo(FlowOutcome.CAPACITY);
        assertThat(fc.submit(rec.request("p0", 0, "t"), pool, now).state()).isEqualTo(FlowTicket.State.QUEUED);
        fc.submit(rec.request("t1", 5, "t", 100), pool, now);
        assertThat(fc.submit(rec.request("t2", 5, "t", 100), pool, now).outcome())
                .isEqualTo(FlowOutcome.CAPACITY);
        assertThat(fc.snapshot().band(-1).requests()).isEqualTo(2);
        assertThat(fc.snapshot().band(5).bytes()).isEqualTo(100);
    }

    /** A saturated pool and one sheddable band of {@code maxRequests} 10 with the given fairness. */
    private FlowController fullBandOf10(FairnessPolicy fairness) {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        PriorityBand batch = new PriorityBand(-1, PriorityBand.DEFAULT_MAX_BYTES, 10, fairness,
                new FcfsOrdering("fcfs"), Duration.ofSeconds(60));
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(batch), d.usageLimit(), concurrency(100),
                false, null));
        Fixtures.inFlight(ep, 100, 0); // saturated: everything queues
        for (int i = 1; i <= 10; i++) {
            fc.submit(rec.request("a" + i, -1, "tenant-a"), pool, now); // tenant-a fills the band first
        }
        return fc;
    }

    @Test
    void refreshMeasuresAnIdlePoolForItsGauges() {
        FlowController fc = defaults();
        assertThat(fc.snapshot().poolSaturation()).isEqualTo(1.0); // nothing measured yet: the empty pool's value
        scrape(ep, 1, 0.0, now); // 1 waiting of the threshold 5
        fc.refresh(pool, now);
        assertThat(fc.snapshot().poolSaturation()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        fc.refresh(List.of(), now);
        assertThat(fc.snapshot().poolSaturation()).isEqualTo(1.0); // no endpoints: full
        assertThat(rec.dispatched).isEmpty();
    }

    @Test
    void aFullRoundRobinBandKeepsAnEqualShareOfItsRoomForEachFlow() {
        FlowController fc = fullBandOf10(new RoundRobinFairness("rr"));
        List<FlowTicket> b = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            b.add(fc.submit(rec.request("b" + i, -1, "tenant-b"), pool, now));
        }
        // each of b1..b5 pushed out tenant-a's newest; at 5 and 5 the arriving b6 is the one refused
        assertThat(rec.rejected).extracting(t -> t.request().id())
                .containsExactly("a10", "a9", "a8", "a7", "a6", "b6");
        assertThat(rec.outcomes).containsEntry(FlowOutcome.DISPLACED, 5).containsEntry(FlowOutcome.CAPACITY, 1);
        assertThat(FlowOutcome.DISPLACED.httpStatus()).isEqualTo(429);
        assertThat(FlowOutcome.DISPLACED.droppedReason()).isEqualTo("rejected-saturated");
        assertThat(b.subList(0, 5)).allMatch(t -> t.state() == FlowTicket.State.QUEUED);
        assertThat(fc.snapshot().band(-1).requests()).isEqualTo(10);
        assertThat(fc.snapshot().band(-1).flows()).allMatch(f -> f.requests() == 5);

        Fixtures.inFlight(ep, -100, 0); // room: the two flows take turns
        fc.dispatch(pool, now);
        assertThat(rec.dispatchedIds()).containsExactly("a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "a5", "b5");
    }

    @Test
    void theFlowHoldingLessIsNeverPushedOutAndGlobalStrictKeepsArrivalOrder() {
        FlowController rr = fullBandOf10(new RoundRobinFairness("rr"));
        assertThat(rr.submit(rec.request("a11", -1, "tenant-a"), pool, now).outcome())
                .isEqualTo(FlowOutcome.CAPACITY); // the only flow: nobody to push out
        rec.rejected.clear();
        rec.outcomes.clear();

        FlowController strict = fullBandOf10(new GlobalStrictFairness("g"));
        assertThat(strict.submit(rec.request("b1", -1, "tenant-b"), pool, now).outcome())
                .isEqualTo(FlowOutcome.CAPACITY); // one order over all flows: the arrival is refused
        assertThat(rec.outcomes).doesNotContainKey(FlowOutcome.DISPLACED);
    }

    @Test
    void aFullQueueWithoutEndpointsIsUnavailabilityNotBackpressure() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 1, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(), d.usageLimit(), utilization(), false,
                null));
        fc.submit(rec.request("a", 0, "t"), List.of(), now);
        FlowTicket b = fc.submit(rec.request("b", 0, "t"), List.of(), now);
        assertThat(b.outcome()).isEqualTo(FlowOutcome.CAPACITY_NO_ENDPOINTS);
        assertThat(b.outcome().httpStatus()).isEqualTo(503);
        assertThat(b.outcome().droppedReason()).isEqualTo("rejected-no-endpoints");
    }

    @Test
    void requestsInTransitKeepOneCycleFromReleasingTheWholeQueue() {
        FlowController fc = defaults(); // one endpoint, 5 waiting = full
        for (int i = 0; i < 50; i++) {
            fc.submit(rec.request("r" + i, 0, "t"), pool, now);
        }
        idle(); // the pool just dipped to empty
        fc.dispatch(pool, now);
        // each dispatched request counts 1/5 until it is on the endpoint
        assertThat(rec.dispatched).hasSize(5);
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).hasSize(5);
        // the host schedules them: now they are on the endpoint's counters (waiting, as far as anyone knows)
        for (FlowTicket t : rec.dispatched) {
            Fixtures.inFlight(ep, 1, 10);
            fc.acknowledge(t);
        }
        assertThat(fc.snapshot().inTransitRequests()).isZero();
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).hasSize(5);
        // two complete: room for two
        Fixtures.inFlight(ep, -2, -20);
        fc.finished(rec.dispatched.get(0));
        fc.finished(rec.dispatched.get(1));
        fc.dispatch(pool, now);
        assertThat(rec.dispatched).hasSize(7);
    }

    @Test
    void shutdownRejectsWhatWaitsAndWhatComes() {
        FlowController fc = defaults();
        FlowTicket a = fc.submit(rec.request("a", 0, "t"), pool, now);
        FlowTicket b = fc.submit(rec.request("b", -3, "u"), pool, now);
        fc.shutdown(now);
        assertThat(a.outcome()).isEqualTo(FlowOutcome.SHUTTING_DOWN);
        assertThat(b.outcome()).isEqualTo(FlowOutcome.SHUTTING_DOWN);
        assertThat(a.outcome().httpStatus()).isEqualTo(503);
        assertThat(a.outcome().droppedReason()).isEqualTo("rejected-shutting-down");
        FlowTicket late = fc.submit(rec.request("late", 0, "t"), pool, now);
        assertThat(late.outcome()).isEqualTo(FlowOutcome.SHUT_DOWN);
        assertThat(fc.snapshot().queuedRequests()).isZero();
        assertThat(fc.snapshot().shutdown()).isTrue();
    }

    @Test
    void evictionStopsTheNewestSheddableRequestOnceAHigherOneWasBlockedForACycle() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        FlowController fc = controller(new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(),
                d.noEndpointRequestTTL(), d.defaultBand(), null, List.of(), d.usageLimit(), concurrency(3), true,
                null));
        FlowTicket older = fc.submit(rec.request("shed-old", -1, "t"), pool, now);
        FlowTicket newer = fc.submit(rec.request("shed-new", -1, "t"), pool, now);
        FlowTicket lowest = fc.submit(rec.request("shed-lowest", -2, "t"), pool, now);
        for (FlowTicket t : List.of(older, newer, lowest)) {
            Fixtures.inFlight(ep, 1, 0);
            fc.acknowledge(t);
        }
        assertThat(fc.snapshot().evictable()).isEqualTo(3);
        FlowTicket blocked = fc.submit(rec.request("critical", 0, "t"), pool, now); // full: blocked, cycle 1
        assertThat(blocked.state()).isEqualTo(FlowTicket.State.QUEUED);
        assertThat(rec.evicted).isEmpty();
        fc.dispatch(pool, now + MS); // still blocked: a whole cycle
        assertThat(rec.evicted).containsExactly(lowest); // lowest priority first
        assertThat(lowest.outcome()).isEqualTo(FlowOutcome.EVICTED_PRIORITY);
        assertThat(lowest.outcome().httpStatus()).isEqualTo(429);
        assertThat(lowest.outcome().droppedReason()).isEqualTo("evicted-priority");
        fc.dispatch(pool, now + 2 * MS);
        assertThat(rec.evicted).as("one eviction per waiting request at a time").hasSize(1);
        // the evicted request stops
        Fixtures.inFlight(ep, -1, 0);
        fc.finished(lowest);
        fc.dispatch(pool, now + 3 * MS);
        assertThat(rec.dispatched).contains(blocked);
        // blocked again: the next victim is the newest of the remaining ones
        fc.submit(rec.request("critical-2", 0, "t"), pool, now + 4 * MS);
        fc.dispatch(pool, now + 5 * MS);
        assertThat(rec.evicted).containsExactly(lowest, newer);
        assertThat(fc.snapshot().evicting()).isEqualTo(1);
    }

    @Test
    void withoutEvictionNothingIsStopped() {
        FlowController fc = controller(config(concurrency(1)));
        FlowTicket shed = fc.submit(rec.request("shed", -1, "t"), pool, now);
        Fixtures.inFlight(ep, 1, 0);
        fc.acknowledge(shed);
        fc.submit(rec.request("critical", 0, "t"), pool, now);
        for (int i = 0; i < 5; i++) {
            fc.dispatch(pool, now + i);
        }
        assertThat(rec.evicted).isEmpty();
        assertThat(fc.snapshot().evictable()).isZero();
    }

    @Test
    void memoryStaysWithinTheLimitsHoweverManyArrive() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        PriorityBand oneSecond = band(0, d.defaultBand().fairness(), d.defaultBand().ordering(),
                Duration.ofSeconds(1));
        FlowController fc = controller(new FlowControlConfig(true, 200_000, 1000, Duration.ofSeconds(1),
                Duration.ofSeconds(1), oneSecond, null, List.of(), d.usageLimit(), utilization(), false, null));
        for (int i = 0; i < 10_000; i++) {
            // a flood of distinct tenants, some large requests
            fc.submit(rec.request("r" + i, i % 3 - 1, "tenant-" + i, i % 10 == 0 ? 1000 : 100), pool, now);
        }
        FlowSnapshot s = fc.snapshot();
        assertThat(s.queuedRequests()).isLessThanOrEqualTo(1000);
        assertThat(s.queuedBytes()).isLessThanOrEqualTo(200_000);
        assertThat(rec.rejected).hasSize(10_000 - (int) s.queuedRequests());
        assertThat(rec.outcomes).containsOnlyKeys(FlowOutcome.CAPACITY);
        // once they expire, nothing is left: no flow outlives its requests
        now += 2 * S;
        fc.dispatch(pool, now);
        s = fc.snapshot();
        assertThat(s.queuedRequests()).isZero();
        assertThat(s.queuedBytes()).isZero();
        assertThat(s.bands()).allSatisfy(b -> assertThat(b.flows()).isEmpty());
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        idle();
        FlowController fc = defaults();
        FlowListener broken = new FlowListener() {
            @Override
            public void dispatched(FlowTicket ticket) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void rejected(FlowTicket ticket, FlowOutcome outcome) {
            }
        };
        fc.submit(new FlowRequest("x", 0, "t", 1, 0, 0, broken), pool, now);
        fc.submit(rec.request("y", 0, "t"), pool, now);
        assertThat(rec.dispatchedIds()).containsExactly("y");
    }

    @Test
    void ticketsBelongToTheirController() {
        FlowController a = defaults();
        FlowController b = defaults();
        FlowTicket t = a.submit(rec.request("x", 0, "t"), pool, now);
        assertThatThrownBy(() -> b.acknowledge(t)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reconfigureKeepsWhatWaitsAndAppliesTheNewPolicies() {
        FlowController fc = controller(config(concurrency(100)));
        Fixtures.inFlight(ep, 100, 0);
        for (int i = 0; i < 4; i++) {
            fc.submit(rec.request("a" + i, 0, "tenant-a"), pool, now);
        }
        fc.submit(rec.request("b0", 0, "tenant-b"), pool, now);
        fc.reconfigure(config(concurrency(100), band(0, new RoundRobinFairness("rr"), new FcfsOrdering("f"),
                Duration.ofSeconds(60))));
        assertThat(fc.snapshot().queuedRequests()).isEqualTo(5);
        Fixtures.inFlight(ep, -2, 0); // room for two
        fc.dispatch(pool, now);
        assertThat(rec.dispatchedIds()).containsExactlyInAnyOrder("a0", "b0"); // turns, no longer arrival order
    }
}
