package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.event.KvEvent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvEventsTest {

    @Test
    void chunkedPrefillStoresBlocksChainedByParentHash() {
        Driver d = new Driver(ToyProfile.config(16, 1000).withMaxNumBatchedTokens(64));
        int[] prompt = Driver.tokens(500, 150);
        d.submit(new EngineRequest("r", prompt, 1, 0, true, "adapter", null, KvTransfer.NONE));
        long[] ends = new long[3];
        for (int i = 0; i < 3; i++) {
            EngineStep step = d.step();
            ends[i] = d.clock.nanos();
            assertThat(step.batchedTokens()).isEqualTo(i < 2 ? 64 : 22);
        }
        assertThat(d.engine.idle()).isTrue();
        assertThat(d.events).hasSize(3);
        KvEvent.BlockStored first = (KvEvent.BlockStored) d.events.get(0).event();
        KvEvent.BlockStored second = (KvEvent.BlockStored) d.events.get(1).event();
        KvEvent.BlockStored third = (KvEvent.BlockStored) d.events.get(2).event();
        assertThat(first.parentBlockHash()).isNull();
        assertThat(first.blockHashes()).hasSize(4);
        assertThat(second.parentBlockHash()).isEqualTo(first.blockHashes()[3]);
        assertThat(second.blockHashes()).hasSize(4);
        assertThat(third.parentBlockHash()).isEqualTo(second.blockHashes()[3]);
        assertThat(third.blockHashes()).hasSize(1); // 150 tokens: 9 full blocks
        assertThat(first.tokenIds()).containsExactly(Arrays.copyOfRange(prompt, 0, 64));
        assertThat(third.tokenIds()).containsExactly(Arrays.copyOfRange(prompt, 128, 144));
        for (int i = 0; i < 3; i++) {
            KvEvent.BlockStored e = (KvEvent.BlockStored) d.events.get(i).event();
            assertThat(e.blockSize()).isEqualTo(16);
            assertThat(e.medium()).isEqualTo("GPU");
            assertThat(e.loraName()).isEqualTo("adapter");
            assertThat(d.events.get(i).timeNanos()).isEqualTo(ends[i]); // announced when the step's KV exists
        }
    }

    @Test
    void engineHashesDependOnTheHashSeedAndDifferFromRequestKeys() {
        int[] prompt = Driver.tokens(1, 32);
        long[] seed0 = hashesWith(0, prompt);
        long[] seed42 = hashesWith(42, prompt);
        assertThat(seed0).hasSize(2).doesNotContain(seed42);
        assertThat(hashesWith(0, prompt)).containsExactly(seed0);
        long[] requestKeys = dev.jetway.kvcache.key.BlockKeys.of(prompt, 16,
                dev.jetway.kvcache.key.BlockKeys.root("toy/model", null));
        assertThat(seed0).doesNotContain(requestKeys);
    }

    private static long[] hashesWith(long hashSeed, int[] prompt) {
        Driver d = new Driver(ToyProfile.config(16, 100).withHashSeed(hashSeed));
        d.submit("r", prompt, 1);
        d.runToIdle();
        return ((KvEvent.BlockStored) d.events.getFirst().event()).blockHashes();
    }

    @Test
    void resetClearsTheCacheAbortsRunningRequestsAndSaysSo() {
        Driver d = new Driver(ToyProfile.config(16, 1000).withMaxNumSeqs(1));
        d.submit("done", Driver.tokens(1, 64), 1);
        d.runToIdle();
        Driver.Trace running = d.submit("running", Driver.tokens(1000, 64), 100);
        Driver.Trace queued = d.submit("queued", Driver.tokens(2000, 64), 1);
        d.engine.plan(d.clock.nanos()).complete();
        d.events.clear();

        d.engine.reset();
        assertThat(d.events).extracting(Driver.TimedEvent::event).containsExactly(new KvEvent.AllBlocksCleared());
        assertThat(running.completion.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(queued.completion.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(d.engine.idle()).isTrue();
        assertThat(d.engine.stats().kvCacheUsage()).isZero();

        Driver.Trace again = d.submit("again", Driver.tokens(1, 64), 1);
        d.runToIdle();
        assertThat(again.cachedAtSchedule).isZero();
    }

    @Test
    void extraKeysCarryTheLoraNameOnEveryBlockAndTheCacheSaltOnTheFirst() {
        Driver d = new Driver(ToyProfile.config(16, 100).withMaxNumBatchedTokens(32));
        d.submit(new EngineRequest("r", Driver.tokens(1, 64), 1, 0, true, "sql", "tenant-1", KvTransfer.NONE));
        d.runToIdle();
        KvEvent.BlockStored first = (KvEvent.BlockStored) d.events.get(0).event();
        KvEvent.BlockStored second = (KvEvent.BlockStored) d.events.get(1).event();
        assertThat(first.extraKeys()).containsExactly(java.util.List.of("sql", "tenant-1"), java.util.List.of("sql"));
        assertThat(second.extraKeys()).containsExactly(java.util.List.of("sql"), java.util.List.of("sql"));

        Driver plain = new Driver(ToyProfile.config(16, 100));
        plain.submit("p", Driver.tokens(1, 32), 1);
        plain.submit(new EngineRequest("s", Driver.tokens(500, 32), 1, 0, true, null, "tenant-2", KvTransfer.NONE));
        plain.runToIdle();
        assertThat(((KvEvent.BlockStored) plain.events.get(0).event()).extraKeys()).isNull();
        assertThat(((KvEvent.BlockStored) plain.events.get(1).event()).extraKeys())
                .containsExactly(java.util.List.of("tenant-2"), null);
    }
}
