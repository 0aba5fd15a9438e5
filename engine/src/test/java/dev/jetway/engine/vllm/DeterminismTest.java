package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.event.KvEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    /** A mixed workload under memory pressure, written down as text: completions, token times and KV events. */
    private static List<String> transcript(long seed) {
        EngineConfig config = ToyProfile.config(16, 120).withSeed(seed).withMaxNumBatchedTokens(512);
        Driver d = new Driver(config);
        Random rng = new Random(7);
        int[][] prefixes = {Driver.tokens(1, 300), Driver.tokens(10_000, 200), Driver.tokens(20_000, 400)};
        for (int i = 0; i < 60; i++) {
            int[] prompt = Driver.concat(prefixes[rng.nextInt(prefixes.length)], Driver.tokens(50_000 + i * 100,
                    1 + rng.nextInt(80)));
            d.submit(new EngineRequest("r" + i, prompt, 40, 2, i % 3 == 0, null, null, KvTransfer.NONE));
            d.runUntil(d.clock.nanos() + rng.nextInt(50_000_000));
            if (i % 17 == 5) {
                d.engine.abort("r" + (i - 1));
            }
        }
        d.runToIdle();
        List<String> lines = new ArrayList<>();
        d.traces.forEach((id, t) -> lines.add(id + " " + t.completion + " " + t.tokenTimes));
        for (Driver.TimedEvent e : d.events) {
            lines.add(e.timeNanos() + " " + describe(e.event()));
        }
        lines.add(d.engine.stats().toString());
        return lines;
    }

    private static String describe(KvEvent event) {
        return switch (event) {
            case KvEvent.BlockStored s -> "stored " + Arrays.toString(s.blockHashes()) + " " + s.parentBlockHash()
                    + " " + Arrays.hashCode(s.tokenIds());
            case KvEvent.BlockRemoved r -> "removed " + Arrays.toString(r.blockHashes());
            case KvEvent.AllBlocksCleared c -> "cleared";
        };
    }

    @Test
    void sameSeedSameInputsSameCallsGiveIdenticalResults() {
        List<String> first = transcript(1);
        assertThat(transcript(1)).isEqualTo(first);
        assertThat(first.getLast()).contains("preemptions=").doesNotContain("preemptions=0,");
        assertThat(first.stream().filter(l -> l.contains("removed")).count()).isPositive();
    }

    @Test
    void theSeedChangesWhereTheModelStops() {
        assertThat(transcript(2)).isNotEqualTo(transcript(1));
    }

    @Test
    void eosFallsBetweenMinTokensAndMaxTokensUnlessIgnored() {
        Driver d = new Driver(ToyProfile.config(16, 10_000).withSeed(99));
        for (int i = 0; i < 200; i++) {
            d.submit(new EngineRequest("r" + i, Driver.tokens(i * 10, 8), 20, 5, false, null, null, KvTransfer.NONE));
        }
        d.submit(new EngineRequest("exact", Driver.tokens(1, 8), 20, 0, true, null, null, KvTransfer.NONE));
        d.runToIdle();
        Set<Integer> lengths = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            var c = d.traces.get("r" + i).completion;
            assertThat(c.completionTokens()).isBetween(5, 20);
            if (c.completionTokens() < 20) {
                assertThat(c.reason()).isEqualTo(FinishReason.STOP);
            }
            lengths.add(c.completionTokens());
        }
        assertThat(lengths).hasSizeGreaterThan(12); // spread over the range, not one fixed length
        assertThat(d.traces.get("exact").completion.completionTokens()).isEqualTo(20);
        assertThat(d.traces.get("exact").completion.reason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void badRequestsAreRejectedWithAClearMessageAndHarmNothing() {
        Driver d = new Driver(ToyProfile.config(16, 100).withMaxModelLen(1000));
        Driver.Trace ok = d.submit("ok", Driver.tokens(1, 16), 3);
        assertThatThrownBy(() -> d.submit("ok", Driver.tokens(1, 16), 3)).hasMessageContaining("already");
        assertThatThrownBy(() -> d.submit("empty", new int[0], 3)).hasMessageContaining("empty");
        assertThatThrownBy(() -> d.submit("long", Driver.tokens(1, 990), 20))
                .hasMessageContaining("maximum context length is 1000 tokens");
        Driver small = new Driver(ToyProfile.config(16, 4));
        assertThatThrownBy(() -> small.submit("huge", Driver.tokens(1, 60), 10))
                .hasMessageContaining("needs 5 KV blocks but the cache has 4");
        d.runToIdle();
        assertThat(ok.completion.completionTokens()).isEqualTo(3);
        assertThat(d.engine.stats().running()).isZero();
    }

    @Test
    void planningTwiceWithoutCompletingIsAnError() {
        Driver d = new Driver(ToyProfile.config(16, 100));
        assertThatThrownBy(() -> d.engine.plan(0)).hasMessageContaining("idle");
        d.submit("a", Driver.tokens(1, 16), 3);
        var step = d.engine.plan(0);
        assertThatThrownBy(() -> d.engine.plan(0)).hasMessageContaining("not completed");
        step.complete();
        assertThatThrownBy(step::complete).hasMessageContaining("already completed");
    }

    @Test
    void underPressureEveryRequestEndsOnceWithItsTokensAndNoBlockLeaks() {
        Driver d = new Driver(ToyProfile.config(16, 60).withMaxNumBatchedTokens(256).withMaxNumSeqs(8));
        Random rng = new Random(11);
        List<String> aborted = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int[] prompt = Driver.concat(Driver.tokens(1, 16 * rng.nextInt(20)), Driver.tokens(100_000 + i * 1000,
                    1 + rng.nextInt(100)));
            KvTransfer role = i % 7 == 3 ? new KvTransfer.PrefillForRemoteDecode()
                    : i % 7 == 4 ? new KvTransfer.DecodeAfterRemotePrefill(null) : KvTransfer.NONE;
            d.submit(new EngineRequest("r" + i, prompt, 1 + rng.nextInt(200), 0, rng.nextBoolean(), null, null, role));
            d.runUntil(d.clock.nanos() + rng.nextInt(30_000_000));
            if (rng.nextInt(10) == 0) {
                String victim = "r" + rng.nextInt(i + 1);
                d.engine.abort(victim);
                aborted.add(victim);
            }
            if (i % 7 == 5) {
                d.engine.releaseKvTransfer("r" + (i - 2));
            }
        }
        d.runToIdle();
        d.traces.forEach((id, t) -> {
            assertThat(t.completion).as(id).isNotNull();
            if (t.completion.reason() != FinishReason.ABORT) {
                assertThat(t.tokenTimes).as(id).hasSize(t.completion.completionTokens());
                assertThat(t.tokenTimes).as(id).isSorted();
            } else {
                assertThat(aborted).contains(id);
            }
        });
        assertThat(d.engine.stats().preemptions()).isPositive();
        d.clock.advanceTo(d.clock.nanos() + EngineConfig.DEFAULT_KV_TRANSFER_WINDOW.toNanos());
        assertThat(d.engine.stats().kvCacheUsage()).isZero(); // pins expired, nothing else holds a block
    }
}
