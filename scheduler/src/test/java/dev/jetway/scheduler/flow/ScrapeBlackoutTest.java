package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.MS;
import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static dev.jetway.scheduler.flow.FlowFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every scrape fails for 5 s under steady load (the failure llm-d users report: 40 ms direct, 9.7 s through the
 * router). The host here is a 1 ms step loop: a request every 5 ms, each served in 100 ms by the least loaded of 4
 * engines whose /metrics (scraped every 50 ms, when scrapes work) show their real queue.
 */
class ScrapeBlackoutTest {

    private static final long BLACKOUT_START = 1 * S;
    private static final long BLACKOUT_END = 6 * S;
    private static final int BATCH = 8; // requests an engine runs at once; the rest wait

    record Run(long maxWaitNanos, long maxWaitInBlackoutNanos, int dispatched, int submitted, boolean failedOpen,
               int staleEndpoints) {
    }

    private record Running(long doneAt, FlowTicket ticket, Endpoint endpoint) {
    }

    private static Run run(SaturationDetector detector) {
        List<Endpoint> pool = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pool.add(new Endpoint("e" + i, "e" + i + ":8000", Map.of()));
        }
        FlowController fc = new FlowController(config(detector));
        ArrayDeque<Running> running = new ArrayDeque<>();
        List<FlowTicket> tickets = new ArrayList<>();
        long[] clock = {0};
        FlowListener host = new FlowListener() {
            @Override
            public void dispatched(FlowTicket t) {
                Endpoint target = pool.getFirst();
                for (Endpoint e : pool) {
                    if (e.inFlightRequests() < target.inFlightRequests()) {
                        target = e;
                    }
                }
                Fixtures.inFlight(target, 1, 100); // the scheduler charges it
                fc.acknowledge(t);
                running.add(new Running(clock[0] + 100 * MS, t, target));
            }

            @Override
            public void rejected(FlowTicket t, FlowOutcome outcome) {
            }
        };
        boolean failedOpen = false;
        int stale = 0;
        for (long now = 0; now < 8 * S; now += MS) {
            clock[0] = now;
            boolean blackout = now >= BLACKOUT_START && now < BLACKOUT_END;
            if (now % (50 * MS) == 0 && !blackout) {
                for (Endpoint e : pool) {
                    int n = e.inFlightRequests();
                    e.updateMetrics(EndpointMetrics.of(Math.max(0, n - BATCH), Math.min(n, BATCH), n * 0.02, now));
                }
            }
            while (!running.isEmpty() && running.peekFirst().doneAt() <= now) {
                Running r = running.pollFirst();
                Fixtures.inFlight(r.endpoint(), -1, -100);
                fc.finished(r.ticket());
                fc.dispatch(pool, now);
            }
            if (now % (5 * MS) == 0) {
                tickets.add(fc.submit(new FlowRequest("r" + now, 0, "t", 100, 100, 0, host), pool, now));
            }
            if (now % (10 * MS) == 0) {
                fc.dispatch(pool, now); // the host's tick
            }
            if (now == 3 * S) {
                FlowSnapshot s = fc.snapshot();
                failedOpen = s.failedOpen();
                stale = s.staleEndpoints();
            }
        }
        long maxWait = 0;
        long maxInBlackout = 0;
        int dispatched = 0;
        for (FlowTicket t : tickets) {
            long wait = t.queueNanos() < 0 ? 8 * S - t.submitNanos() : t.queueNanos();
            maxWait = Math.max(maxWait, wait);
            if (t.submitNanos() >= BLACKOUT_START && t.submitNanos() < BLACKOUT_END) {
                maxInBlackout = Math.max(maxInBlackout, wait);
            }
            if (t.state() != FlowTicket.State.QUEUED && t.state() != FlowTicket.State.REJECTED) {
                dispatched++;
            }
        }
        return new Run(maxWait, maxInBlackout, dispatched, tickets.size(), failedOpen, stale);
    }

    @Test
    void dispatchGoesOnThroughAFiveSecondScrapeBlackout() {
        Run run = run(FlowFixtures.utilization());
        assertThat(run.dispatched()).isEqualTo(run.submitted());
        assertThat(run.maxWaitInBlackoutNanos()).as("no request stalls because of the blackout")
                .isLessThan(20 * MS);
        assertThat(run.maxWaitNanos()).isLessThan(20 * MS);
        assertThat(run.failedOpen()).as("flagged, for the host's warning and gauge").isTrue();
        assertThat(run.staleEndpoints()).isEqualTo(4);
    }

    @Test
    void llmDsRuleWouldStallTheSameRun() {
        // the same loop with llm-d's rule (a stale endpoint scores 1.0): the harness does see a stall
        UtilizationDetector jetway = FlowFixtures.utilization();
        SaturationDetector staleIsFull = new SaturationDetector() {
            @Override
            public PoolLoad measure(List<Endpoint> endpoints, long nowNanos) {
                double sum = 0;
                for (Endpoint e : endpoints) {
                    EndpointMetrics m = e.metrics();
                    sum += m.isStale(nowNanos, 200 * MS) ? 1.0
                            : Math.max(m.waitingRequests() / 5.0, m.kvCacheUsage() / 0.8);
                }
                PoolLoad ours = jetway.measure(endpoints, nowNanos);
                return new PoolLoad(sum / endpoints.size(), ours.perRequest(), 0, endpoints.size(), 0, false);
            }

            @Override
            public String type() {
                return "llm-d-rule";
            }

            @Override
            public String name() {
                return "llm-d-rule";
            }
        };
        Run run = run(staleIsFull);
        assertThat(run.maxWaitInBlackoutNanos()).isGreaterThan(4 * S);
    }
}
