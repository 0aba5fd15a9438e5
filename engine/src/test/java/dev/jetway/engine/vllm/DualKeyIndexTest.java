package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's KV events, fed to Jetway's precise prefix index, must be enough for the gateway to find a prompt's
 * cached prefix with its own request keys (llm-d's dual-key design), for plain, LoRA and salted prompts.
 */
class DualKeyIndexTest {

    private static final String MODEL = "toy/model";

    private final PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(16));
    private final Driver engineA = new Driver(ToyProfile.config(16, 40));
    private final Driver engineB = new Driver(ToyProfile.config(16, 40).withHashSeed(99));
    private final int a = index.addEndpoint("10.0.0.1:8000", MODEL);
    private final int b = index.addEndpoint("10.0.0.2:8000", MODEL);

    private void deliver() {
        index.apply(a, new KvEventBatch(0, engineA.events.stream().map(Driver.TimedEvent::event).toList(), null));
        index.apply(b, new KvEventBatch(0, engineB.events.stream().map(Driver.TimedEvent::event).toList(), null));
        engineA.events.clear();
        engineB.events.clear();
    }

    private static EngineRequest request(String id, int[] prompt, String lora, String salt) {
        return new EngineRequest(id, prompt, 1, 0, true, lora, salt, KvTransfer.NONE);
    }

    @Test
    void requestKeysFindWhatEachEngineCached() {
        int[] plain = Driver.tokens(1, 100);
        int[] other = Driver.tokens(5000, 100);
        engineA.submit(request("p", plain, null, null));
        engineA.submit(request("l", other, "sql", null));
        engineB.submit(request("s", plain, null, "tenant-1"));
        engineA.runToIdle();
        engineB.runToIdle();
        deliver();

        assertThat(index.match(MODEL, null, null, plain).blocks("10.0.0.1:8000")).isEqualTo(6);
        assertThat(index.match(MODEL, null, null, plain).blocks("10.0.0.2:8000")).isZero();
        assertThat(index.match(MODEL, null, "tenant-1", plain).blocks("10.0.0.2:8000")).isEqualTo(6);
        assertThat(index.match(MODEL, null, "tenant-1", plain).blocks("10.0.0.1:8000")).isZero();
        assertThat(index.match(MODEL, "sql", null, other).blocks("10.0.0.1:8000")).isEqualTo(6);
        assertThat(index.match(MODEL, null, null, other).blocks("10.0.0.1:8000")).isZero();
    }

    @Test
    void evictionAndResetReachTheIndex() {
        int[] plain = Driver.tokens(1, 100);
        engineA.submit(request("p", plain, null, null));
        engineA.runToIdle();
        deliver();
        assertThat(index.match(MODEL, null, null, plain).blocks("10.0.0.1:8000")).isEqualTo(6);

        // 40 blocks in all: a 600-token prompt needs 38 of them, evicting the tail blocks of the first prompt.
        engineA.submit(request("big", Driver.tokens(90_000, 600), null, null));
        engineA.runToIdle();
        deliver();
        int left = index.match(MODEL, null, null, plain).blocks("10.0.0.1:8000");
        assertThat(left).isEqualTo(2); // its blocks 2..5 were the oldest free ones after 33 never used
        assertThat(index.match(MODEL, null, null, Driver.tokens(90_000, 600)).blocks("10.0.0.1:8000"))
                .isEqualTo(37);

        engineA.engine.reset();
        deliver();
        assertThat(index.match(MODEL, null, null, Driver.tokens(90_000, 600)).matches()).isEqualTo(List.of());
    }
}
