package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.engine.Completion;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.VirtualClock;
import dev.jetway.engine.vllm.VllmEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversationWorkloadTest {

    private static ConversationWorkload.Spec spec(double duration, double rate, double cont, int maxContext, long seed) {
        return new ConversationWorkload.Spec(duration, rate, cont, new IntDistribution.LogNormal(60, 0.5, 5, 600),
                IntDistribution.of(300), new IntDistribution.LogNormal(80, 1.0, 5, 1000), 0.6, 0.2,
                new IntDistribution.LogNormal(3000, 0.5, 500, 20_000), new IntDistribution.Normal(150, 50, 1, 400),
                maxContext, seed);
    }

    @Test
    void sessionsArriveOverTheSpanAndTurnsComeInSendOrderDeterministically() {
        ConversationWorkload w = new ConversationWorkload(spec(1200, 0.5, 0.6, 40_960, 1));
        assertThat(w.size()).isGreaterThan(400);
        for (int i = 1; i < w.size(); i++) {
            assertThat(w.arrivalNanos(i)).isGreaterThanOrEqualTo(w.arrivalNanos(i - 1));
        }
        assertThat(w.arrivalNanos(w.size() - 1)).isLessThan(1200_000_000_000L);
        // ~600 sessions in 1,200 s (Poisson: +-4 sigma)
        assertThat(w.sessions()).isBetween(600 - 98, 600 + 98);
        ConversationWorkload again = new ConversationWorkload(spec(1200, 0.5, 0.6, 40_960, 1));
        assertThat(again.turns()).isEqualTo(w.turns());
        assertThat(new ConversationWorkload(spec(1200, 0.5, 0.6, 40_960, 2)).turns()).isNotEqualTo(w.turns());
        assertThat(w.request(5).sessionId()).isEqualTo("conversation-" + w.turns().get(5).session());
    }

    @Test
    void eachTurnExtendsThePreviousPromptAndTheEngineAnswerExactly() {
        ConversationWorkload w = new ConversationWorkload(spec(3000, 0.2, 0.8, 40_960, 3));
        Map<Integer, List<ConversationWorkload.Turn>> bySession = new HashMap<>();
        w.turns().forEach(t -> bySession.computeIfAbsent(t.session(), k -> new ArrayList<>()).add(t));
        List<ConversationWorkload.Turn> longest = bySession.values().stream()
                .max((a, b) -> Integer.compare(a.size(), b.size())).orElseThrow();
        assertThat(longest.size()).isGreaterThanOrEqualTo(4);
        for (int k = 1; k < longest.size(); k++) {
            ConversationWorkload.Turn prev = longest.get(k - 1);
            ConversationWorkload.Turn turn = longest.get(k);
            assertThat(turn.turn()).isEqualTo(k);
            // think time: at least the distribution's 5 s minimum after the previous send
            assertThat(turn.sendNanos() - prev.sendNanos()).isGreaterThanOrEqualTo(5_000_000_000L);
            int[] expected = prev.prompt().append(prev.prompt().engineAnswer(prev.maxTokens())).tokens();
            int[] tokens = turn.prompt().tokens();
            assertThat(tokens.length).isGreaterThan(expected.length);
            assertThat(Arrays.copyOf(tokens, expected.length)).containsExactly(expected);
        }
        // every session starts with the same system prompt
        int[] a = w.turns().get(0).prompt().tokens();
        int[] b = w.turns().get(1).prompt().tokens();
        assertThat(SharedPrefixWorkloadTest.commonPrefix(a, b)).isBetween(300, 302);
    }

    @Test
    void nothingExceedsTheContextAndLongSessionsStop() {
        ConversationWorkload w = new ConversationWorkload(spec(3000, 0.3, 0.9, 8000, 4));
        assertThat(w.turns()).allSatisfy(t -> assertThat(t.prompt().tokenCount() + t.maxTokens()).isLessThanOrEqualTo(8000));
        // without the limit, p = 0.9 would average 10 turns; documents of ~3,000 tokens end sessions much sooner
        double turnsPerSession = w.size() / (double) w.turns().stream().mapToInt(ConversationWorkload.Turn::session).distinct().count();
        assertThat(turnsPerSession).isLessThan(5);
    }

    @Test
    void turnsPerSessionAreGeometric() {
        ConversationWorkload w = new ConversationWorkload(new ConversationWorkload.Spec(100_000, 0.2, 0.5,
                IntDistribution.of(1), IntDistribution.of(10), IntDistribution.of(10), 0, 0, IntDistribution.of(1),
                IntDistribution.of(5), 40_960, 5));
        long firsts = w.turns().stream().filter(t -> t.turn() == 0).count();
        assertThat(w.size() / (double) firsts).isCloseTo(w.spec().meanTurns(), within(0.08));
    }

    @Test
    void thePlanTakesTheGeneratedSendTimes() {
        ConversationWorkload w = new ConversationWorkload(spec(600, 0.5, 0.5, 40_960, 6));
        RequestPlan plan = RequestPlan.build(w, LoadProfile.poisson(new LoadStage(100, 1)), 0);
        assertThat(plan.requests()).hasSize(w.size());
        assertThat(plan.stages()).hasSize(1);
        assertThat(plan.requests()).extracting(PlannedRequest::sendAtNanos)
                .containsExactlyElementsOf(w.turns().stream().map(ConversationWorkload.Turn::sendNanos).toList());
        assertThat(RequestPlan.build(w, LoadProfile.poisson(new LoadStage(100, 1)), 10).requests()).hasSize(10);
    }

    @Test
    void aReplicaThatServedATurnHitsItsPromptAndAnswerOnTheNext() {
        ConversationWorkload w = new ConversationWorkload(spec(3000, 0.2, 0.8, 40_960, 3));
        ConversationWorkload.Turn first = w.turns().stream().filter(t -> t.turn() == 0).findFirst().orElseThrow();
        ConversationWorkload.Turn second = w.turns().stream()
                .filter(t -> t.session() == first.session() && t.turn() == 1).findFirst().orElseThrow();
        VirtualClock clock = new VirtualClock(0);
        VllmEngine engine = new VllmEngine(EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64), clock,
                KvEventSink.NONE);
        run(engine, clock, EngineRequest.of("t0", first.prompt().tokens(), first.maxTokens()));
        Completion c = run(engine, clock, EngineRequest.of("t1", second.prompt().tokens(), second.maxTokens()));
        // the engine holds the first prompt and all but the last generated token (its KV is never computed)
        int cachedBefore = (first.prompt().tokenCount() + first.maxTokens() - 1) / 64 * 64;
        assertThat(c.cachedPromptTokens()).isEqualTo(cachedBefore);
        assertThat(c.cachedPromptTokens()).isGreaterThan(first.prompt().tokenCount() / 64 * 64);
    }

    private static Completion run(VllmEngine engine, VirtualClock clock, EngineRequest request) {
        Completion[] done = new Completion[1];
        engine.submit(request, new RequestObserver() {
            @Override
            public void onTokens(int count, long timeNanos) {
            }

            @Override
            public void onFinished(Completion completion) {
                done[0] = completion;
            }
        });
        long t = clock.nanos();
        while (!engine.idle()) {
            EngineStep step = engine.plan(t);
            t += step.durationNanos();
            clock.advanceTo(t);
            step.complete();
        }
        return done[0];
    }

    @Test
    void specRejectsBadParameters() {
        assertThatThrownBy(() -> spec(0, 1, 0.5, 100, 1)).hasMessageContaining("duration");
        assertThatThrownBy(() -> spec(10, 0, 0.5, 100, 1)).hasMessageContaining("session_rate");
        assertThatThrownBy(() -> spec(10, 1, 1.0, 100, 1)).hasMessageContaining("continue_probability");
    }
}
