package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.band;
import static dev.jetway.scheduler.flow.FlowFixtures.concurrency;
import static dev.jetway.scheduler.flow.FlowFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Several threads drive one controller at once, as the gateway's event loops do; the books must balance. */
class FlowControllerConcurrencyTest {

    private final Endpoint ep = new Endpoint("e", "e:1", Map.of());
    private final List<Endpoint> pool = List.of(ep);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void everyRequestIsDecidedExactlyOnceAndNothingIsLeftOver() throws Exception {
        FlowController fc = new FlowController(config(concurrency(20), band(0, new RoundRobinFairness("rr"),
                new FcfsOrdering("f"), Duration.ofSeconds(60))));
        Map<FlowTicket, AtomicInteger> decisions = new ConcurrentHashMap<>();
        AtomicInteger dispatched = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        List<FlowTicket> running = java.util.Collections.synchronizedList(new ArrayList<>());
        FlowListener host = new FlowListener() {
            @Override
            public void dispatched(FlowTicket t) {
                decisions.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
                dispatched.incrementAndGet();
                Fixtures.inFlight(ep, 1, 0);
                fc.acknowledge(t);
                running.add(t);
            }

            @Override
            public void rejected(FlowTicket t, FlowOutcome outcome) {
                decisions.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet();
                rejected.incrementAndGet();
            }
        };
        int threads = 4;
        int perThread = 5000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<FlowTicket> all = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < threads; w++) {
            int seed = w;
            workers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    long now = clock.incrementAndGet();
                    FlowTicket t = fc.submit(new FlowRequest("w" + seed + "-" + i, random.nextInt(3) - 1,
                            "tenant-" + random.nextInt(5), 100, 10, 0, host), pool, now);
                    all.add(t);
                    if (random.nextInt(10) == 0) {
                        fc.cancel(t, now);
                    }
                    // finish something that runs, as completions on other event loops would
                    FlowTicket done = null;
                    synchronized (running) {
                        if (!running.isEmpty()) {
                            done = running.remove(random.nextInt(running.size()));
                        }
                    }
                    if (done != null) {
                        Fixtures.inFlight(ep, -1, 0);
                        fc.finished(done);
                        fc.dispatch(pool, now);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        // drain: finish everything still running until the queue is empty
        while (fc.snapshot().queuedRequests() > 0 || !running.isEmpty()) {
            List<FlowTicket> batch;
            synchronized (running) {
                batch = new ArrayList<>(running);
                running.clear();
            }
            for (FlowTicket t : batch) {
                Fixtures.inFlight(ep, -1, 0);
                fc.finished(t);
            }
            fc.dispatch(pool, clock.incrementAndGet());
        }
        assertThat(all).hasSize(threads * perThread);
        assertThat(decisions).hasSize(threads * perThread);
        assertThat(decisions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(dispatched.get() + rejected.get()).isEqualTo(threads * perThread);
        assertThat(all).allSatisfy(t -> assertThat(t.state())
                .isIn(FlowTicket.State.FINISHED, FlowTicket.State.REJECTED));
        FlowSnapshot s = fc.snapshot();
        assertThat(s.queuedRequests()).isZero();
        assertThat(s.queuedBytes()).isZero();
        assertThat(s.inTransitRequests()).isZero();
        assertThat(s.inTransitTokens()).isZero();
        assertThat(s.bands()).allSatisfy(b -> assertThat(b.flows()).isEmpty());
        assertThat(ep.inFlightRequests()).isZero();
    }

    @Test
    void aHostThatCompletesSynchronouslyDoesNotRecursePerRequest() {
        FlowController fc = new FlowController(config(concurrency(1)));
        int[] depth = {0};
        int[] maxDepth = {0};
        int[] done = {0};
        FlowListener host = new FlowListener() {
            @Override
            public void dispatched(FlowTicket t) {
                depth[0]++;
                maxDepth[0] = Math.max(maxDepth[0], depth[0]);
                fc.acknowledge(t);
                fc.finished(t); // served at once
                done[0]++;
                fc.dispatch(pool, 0); // which dispatches the next one
                depth[0]--;
            }

            @Override
            public void rejected(FlowTicket t, FlowOutcome outcome) {
            }
        };
        Fixtures.inFlight(ep, 1, 0); // full while the queue fills
        for (int i = 0; i < 5000; i++) { // a full band
            fc.submit(new FlowRequest("r" + i, 0, "t", 1, 0, 0, host), pool, 0);
        }
        Fixtures.inFlight(ep, -1, 0);
        fc.dispatch(pool, 0);
        assertThat(done[0]).isEqualTo(5000);
        assertThat(maxDepth[0]).isEqualTo(1);
    }
}
