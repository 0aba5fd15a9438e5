package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.Completion;
import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvTransfer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DisaggregationTest {

    private static EngineConfig prefillConfig() {
        return ToyProfile.config(16, 1000).withKvTransferWindow(Duration.ofSeconds(2))
                .withTransferEndpoint("prefill-0", "10.0.0.7", 5600);
    }

    private static EngineRequest prefillOnly(String id, int[] prompt) {
        return new EngineRequest(id, prompt, 50, 0, true, null, null, new KvTransfer.PrefillForRemoteDecode());
    }

    @Test
    void prefillRunAnswersWithOneTokenAndTheParamsToFetchItsBlocks() {
        Driver d = new Driver(prefillConfig());
        Driver.Trace t = d.submit(prefillOnly("p1", Driver.tokens(1, 1000)));
        d.runToIdle();
        Completion c = t.completion;
        assertThat(c.reason()).isEqualTo(FinishReason.REMOTE_DECODE);
        assertThat(c.reason().wire()).isEqualTo("remote_decode");
        assertThat(c.completionTokens()).isEqualTo(1);
        assertThat(d.steps).isEqualTo(1);
        KvTransfer.RemotePrefillParams params = c.remotePrefill();
        assertThat(params.remoteEngineId()).isEqualTo("prefill-0");
        assertThat(params.remoteRequestId()).isEqualTo("p1");
        assertThat(params.remoteHost()).isEqualTo("10.0.0.7");
        assertThat(params.remotePort()).isEqualTo(5600);
        assertThat(params.tpSize()).isEqualTo(1);
        assertThat(params.remoteBlockIds()).hasSize(63).doesNotHaveDuplicates(); // ceil(1000 / 16)
        // The blocks stay held for the decode engine to pull.
        assertThat(d.engine.stats().kvCacheUsage()).isEqualTo(63 / 1000.0);
        assertThat(d.engine.idle()).isTrue();

        d.engine.releaseKvTransfer("p1");
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
        // Released blocks stay cached.
        Driver.Trace again = d.submit("again", Driver.tokens(1, 1000), 1);
        d.runToIdle();
        assertThat(again.cachedAtSchedule).isEqualTo(992);
    }

    @Test
    void pinnedBlocksAreReleasedWhenTheTransferWindowEnds() {
        Driver d = new Driver(prefillConfig());
        Driver.Trace t = d.submit(prefillOnly("p1", Driver.tokens(1, 1000)));
        d.runToIdle();
        long finished = t.completion.timeNanos();
        d.clock.advanceTo(finished + Duration.ofSeconds(1).toNanos());
        d.submit("other", Driver.tokens(5000, 16), 1);
        d.runToIdle();
        assertThat(d.clock.nanos()).isLessThan(finished + Duration.ofSeconds(2).toNanos());
        assertThat(d.engine.stats().kvCacheUsage()).isEqualTo(63 / 1000.0);
        d.clock.advanceTo(finished + Duration.ofSeconds(2).toNanos());
        d.submit("later", Driver.tokens(6000, 16), 1);
        d.runToIdle();
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
    }

    @Test
    void decodeRunHoldsBlocksWaitsForTheTransferThenDecodes() {
        Driver prefill = new Driver(prefillConfig());
        int[] prompt = Driver.tokens(1, 5000);
        prefill.submit(prefillOnly("req", prompt));
        prefill.runToIdle();
        KvTransfer.RemotePrefillParams params = prefill.traces.get("req").completion.remotePrefill();

        Driver decode = new Driver(ToyProfile.config(16, 1000));
        Driver.Trace t = decode.submit(new EngineRequest("req", prompt, 3, 0, true, null, null,
                new KvTransfer.DecodeAfterRemotePrefill(params)));
        EngineStep wait = decode.step();
        // Transfer: 5000 tokens × 1000 B / 1 GB/s = 5 ms, during which the prompt's 313 blocks are held.
        assertThat(wait.batchedTokens()).isZero();
        assertThat(wait.durationNanos()).isEqualTo(5_000_000L);
        assertThat(decode.engine.stats().kvCacheUsage()).isEqualTo(313 / 1000.0);
        assertThat(t.tokenTimes).isEmpty();

        EngineStep first = decode.step();
        // Only the last prompt token is computed: compute (1e9 + 5000 × 4000) / 1e12 = 1.02 ms,
        // memory (1e9 + 5000 × 1000) / 1e11 = 10.05 ms, plus 1.1 ms overheads.
        assertThat(first.batchedTokens()).isEqualTo(1);
        assertThat(first.durationNanos()).isEqualTo(11_150_000L);
        assertThat(t.firstTokenAt()).isEqualTo(5_000_000L + 11_150_000L);
        decode.runToIdle();
        assertThat(t.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(t.completion.completionTokens()).isEqualTo(3);
        assertThat(decode.engine.stats().kvCacheUsage()).isZero();
    }

    @Test
    void decodeRunOnlyPullsWhatItDoesNotHaveCached() {
        Driver decode = new Driver(ToyProfile.config(16, 1000));
        int[] prompt = Driver.tokens(1, 5000);
        decode.submit("warm", java.util.Arrays.copyOf(prompt, 4000), 1);
        decode.runToIdle();
        long t0 = decode.clock.nanos();
        Driver.Trace t = decode.submit(new EngineRequest("req", prompt, 1, 0, true, null, null,
                new KvTransfer.DecodeAfterRemotePrefill(null)));
        EngineStep wait = decode.step();
        assertThat(t.cachedAtSchedule).isEqualTo(4000);
        assertThat(wait.durationNanos()).isEqualTo(1_000_000L); // 1000 missing tokens
        decode.runToIdle();
        assertThat(t.firstTokenAt()).isGreaterThan(t0 + 1_000_000L);
    }

    @Test
    void requestsThatNeedPinnedBlocksWaitUntilTheDecodeSideReleasesThem() {
        Driver d = new Driver(ToyProfile.config(16, 10).withKvTransferWindow(Duration.ofSeconds(30)));
        d.submit(prefillOnly("p1", Driver.tokens(1, 128))); // 8 of the 10 blocks
        d.runToIdle();
        Driver.Trace blocked = d.submit("blocked", Driver.tokens(1000, 64), 1); // needs 4 + 1 blocks
        EngineStep idle = d.step();
        assertThat(idle.batchedTokens()).isZero();
        assertThat(idle.durationNanos()).isEqualTo(VllmEngine.MAX_EMPTY_STEP_NANOS);
        assertThat(blocked.scheduledAt).isEqualTo(-1);
        d.engine.releaseKvTransfer("p1");
        d.runToIdle();
        assertThat(blocked.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(blocked.scheduledAt).isEqualTo(idle.durationNanos() + d.traces.get("p1").completion.timeNanos());
    }
}
