package dev.jetway.scheduler.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The latency model learning from responses: per endpoint, streamed and not, and reporting its error. */
class LatencyModelTest {

    private static final long MS = 1_000_000L;

    /** A replica whose TTFT is {@code step + tokens / prefillRate} and whose TPOT is {@code tpot}, exactly. */
    private record Replica(Endpoint endpoint, double prefillRate, double step, double tpot) {
        double ttft(long uncached) {
            return step + uncached / prefillRate;
        }
    }

    private static Replica replica(String id, double prefillRate, double step, double tpot) {
        Endpoint e = Endpoint.of(id);
        e.updateMetrics(EndpointMetrics.of(0, 0, 0, 0));
        return new Replica(e, prefillRate, step, tpot);
    }

    /** Sends one request to {@code r} at {@code now} and reports its response; returns when it ended. */
    private static long serve(LatencyModel model, Replica r, long now, long uncached, int output, boolean stream) {
        LatencyModel.Scratch s = new LatencyModel.Scratch();
        model.predict(r.endpoint(), now, uncached, 0, s);
        LatencyModel.Observation o = model.sent(r.endpoint(), now, uncached, 0, stream, output, s.ttft, s.tpot);
        long first = now + Math.round(r.ttft(uncached) * 1e9);
        long end = first + Math.round((output - 1) * r.tpot() * 1e9);
        model.firstToken(o, first);
        model.completed(o, end, true, output);
        return end;
    }

    private static double predictTtft(LatencyModel model, Replica r, long now, long uncached) {
        LatencyModel.Scratch s = new LatencyModel.Scratch();
        model.predict(r.endpoint(), now, uncached, 0, s);
        return s.ttft;
    }

    private static double predictTpot(LatencyModel model, Replica r, long now) {
        LatencyModel.Scratch s = new LatencyModel.Scratch();
        model.predict(r.endpoint(), now, 1000, 0, s);
        return s.tpot;
    }

    @Test
    void eachEndpointOfAMixedPoolLearnsItsOwnSpeedFromStreamedResponses() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica fast = replica("h100", 24_000, 0.015, 0.012);
        Replica slow = replica("a100", 7_000, 0.035, 0.040);
        SplittableRandom rnd = new SplittableRandom(3);
        long now = 0;
        for (int i = 0; i < 300; i++) {
            for (Replica r : List.of(fast, slow)) {
                now = serve(model, r, now, rnd.nextLong(200, 12_000), 50, true) + 10 * MS;
            }
        }
        for (long tokens : new long[] {500, 4_000, 10_000}) {
            assertThat(predictTtft(model, fast, now, tokens)).isCloseTo(fast.ttft(tokens), offset(0.05 * fast.ttft(tokens)));
            assertThat(predictTtft(model, slow, now, tokens)).isCloseTo(slow.ttft(tokens), offset(0.05 * slow.ttft(tokens)));
        }
        assertThat(predictTpot(model, fast, now)).isCloseTo(0.012, offset(0.0012));
        assertThat(predictTpot(model, slow, now)).isCloseTo(0.040, offset(0.004));
        List<LatencyModel.PredictionError> errors = model.errors();
        assertThat(errors).filteredOn(e -> e.endpointId() != null && e.kind() == LatencyModel.Kind.TTFT)
                .hasSize(2).allSatisfy(e -> assertThat(e.mape()).isLessThan(0.10));
        assertThat(errors).filteredOn(e -> e.endpointId() == null && e.kind() == LatencyModel.Kind.TPOT)
                .singleElement().satisfies(e -> assertThat(e.total()).isEqualTo(600));
    }

    @Test
    void anEngineFifteenTimesSlowerThanThePriorIsLearnedWithinAHundredResponses() {
        // A CPU llama.cpp replica: 800 prompt tokens a second against the prior's 15,928, 10 ms a token. Its long
        // responses weigh little against the prior's absolute variances; without widening the prior to it, a cold
        // prefill was still predicted at half its time after 200 responses.
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica cpu = replica("cpu", 800, 0.030, 0.010);
        SplittableRandom rnd = new SplittableRandom(1);
        long now = 0;
        for (int i = 0; i < 100; i++) {
            now = serve(model, cpu, now, rnd.nextBoolean() ? 1_600 : 60, 32, true) + 1_000 * MS;
        }
        assertThat(predictTtft(model, cpu, now, 1_600)).isCloseTo(cpu.ttft(1_600), offset(0.1 * cpu.ttft(1_600)));
        assertThat(predictTtft(model, cpu, now, 60)).isCloseTo(cpu.ttft(60), offset(0.1 * cpu.ttft(60)));
        assertThat(predictTpot(model, cpu, now)).isCloseTo(0.010, offset(0.001));
    }

    @Test
    void oneResponseFarFasterThanItsFeaturesSaidDoesNotUndoWhatTheOthersTaught() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica r = replica("r", 15_000, 0.02, 0.02);
        SplittableRandom rnd = new SplittableRandom(5);
        long now = 0;
        for (int i = 0; i < 200; i++) {
            now = serve(model, r, now, rnd.nextLong(500, 12_000), 20, true) + 10 * MS;
        }
        double before = predictTtft(model, r, now, 10_000);
        // a prompt the prefix index believed 14k tokens uncached, which the engine had cached: answered in 30 ms
        LatencyModel.Scratch s = new LatencyModel.Scratch();
        model.predict(r.endpoint(), now, 14_000, 0, s);
        LatencyModel.Observation o = model.sent(r.endpoint(), now, 14_000, 0, true, 20, s.ttft, s.tpot);
        model.firstToken(o, now + 30 * MS);
        model.completed(o, now + 30 * MS + 19 * 20 * MS, true, 20);

        assertThat(before).isCloseTo(r.ttft(10_000), offset(0.05 * r.ttft(10_000)));
        // weighted by 1/y² it would count a thousand times and halve the prediction
        assertThat(predictTtft(model, r, now + 1_000 * MS, 10_000)).isCloseTo(before, offset(0.1 * before));
    }

    @Test
    void pastTheKvCapacityARequestsOwnTokensWaitForRoomAndThatWaitCountsAsItsPrefill() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        long now = 1_000 * MS;
        Endpoint roomy = Endpoint.of("roomy");
        roomy.updateMetrics(EndpointMetrics.of(0, 4, 0.10, now).withCache(16, 10_000));
        Endpoint full = Endpoint.of("full");
        full.updateMetrics(EndpointMetrics.of(0, 4, 0.99, now).withCache(16, 10_000));
        LatencyModel.Scratch s = new LatencyModel.Scratch();

        model.predict(roomy, now, 8_000, 0, s);
        model.costToOthers(s, 8_000, 0, 100);
        double roomyPrefill = s.prefill;
        model.predict(full, now, 8_000, 0, s);
        model.costToOthers(s, 8_000, 0, 100);

        // 160,000 tokens of KV, 158,400 in use: 6,400 of the request's 8,000 tokens have no room; the model prices
        // each like a token of prefill (the prior), and that wait is the request's own, not the queue's
        double perKtok = 1e3 / LatencyPrior.DEFAULT.prefillTokensPerSecond();
        assertThat(s.prefill - roomyPrefill).isCloseTo(6.4 * perKtok, offset(1e-9));
        assertThat(s.ttft - s.prefill).isLessThan(s.ttft / 2);
    }

    @Test
    void nonStreamedResponsesTeachBothTtftAndTpotFromTheirWholeTime() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica r = replica("e", 12_000, 0.02, 0.030);
        SplittableRandom rnd = new SplittableRandom(5);
        long now = 0;
        for (int i = 0; i < 600; i++) {
            now = serve(model, r, now, rnd.nextLong(200, 12_000), rnd.nextInt(2, 400), false) + 10 * MS;
        }
        assertThat(predictTtft(model, r, now, 6_000)).isCloseTo(r.ttft(6_000), offset(0.1 * r.ttft(6_000)));
        assertThat(predictTpot(model, r, now)).isCloseTo(0.030, offset(0.003));
        assertThat(model.errors()).filteredOn(e -> e.endpointId() == null)
                .singleElement().satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(LatencyModel.Kind.E2E);
                    assertThat(e.mape()).isLessThan(0.10);
                });
    }

    @Test
    void queuedWorkAheadRaisesThePredictionAtOnceAndEachFirstTokenLowersIt() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica r = replica("e", 16_000, 0.02, 0.02);
        double idle = predictTtft(model, r, 0, 1000);
        LatencyModel.Observation a = model.sent(r.endpoint(), 0, 16_000, 0, true, 10, Double.NaN, Double.NaN);
        double behindOne = predictTtft(model, r, 0, 1000);
        assertThat(behindOne - idle).as("16k tokens ahead at the prior's ~16k tok/s").isCloseTo(1.0, offset(0.1));
        model.firstToken(a, 1_000_000_000L);
        assertThat(behindOne - predictTtft(model, r, 1_000_000_000L, 1000)).isCloseTo(1.0, offset(0.1));
    }

    @Test
    void failedAndAbortedRequestsTeachNothingButLeaveTheQueue() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica r = replica("e", 16_000, 0.02, 0.02);
        LatencyModel.Observation o = model.sent(r.endpoint(), 0, 50_000, 0, true, 10, 1, 1);
        assertThat(predictTtft(model, r, 0, 0)).isGreaterThan(2);
        model.completed(o, 1_000_000L, false, 3);
        assertThat(predictTtft(model, r, 0, 0)).isLessThan(0.1);
        assertThat(model.samples(r.endpoint())).isZero();
        assertThat(model.errors()).isEmpty();
    }

    @Test
    void expectsOutputLengthsFromWhatResponsesGenerated() {
        LatencyModel model = new LatencyModel(LatencyModel.Settings.DEFAULT);
        Replica r = replica("e", 16_000, 0.02, 0.02);
        long now = 0;
        for (int i = 0; i < 50; i++) {
            LatencyModel.Observation o = model.sent(r.endpoint(), now, 100, 0, true, 4096, 0.1, 0.02);
            model.firstToken(o, now + 10 * MS);
            model.completed(o, now + 100 * MS, true, 300);
            now += 200 * MS;
        }
        assertThat(model.expectedOutputTokens(4096)).isCloseTo(300, offset(1.0));
        assertThat(model.expectedOutputTokens(100)).isEqualTo(100 * 300 / 4096.0, offset(0.5));
        assertThat(model.expectedOutputTokens(0)).isCloseTo(300, offset(1.0));
    }
}
