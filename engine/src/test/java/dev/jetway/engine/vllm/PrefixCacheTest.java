package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.event.KvEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixCacheTest {

    private final Driver d = new Driver(ToyProfile.config(16, 1000));

    private int cachedTokensOf(EngineRequest request) {
        Driver.Trace t = d.submit(request);
        d.runToIdle();
        assertThat(t.completion.cachedPromptTokens()).isEqualTo(t.cachedAtSchedule);
        return t.completion.cachedPromptTokens();
    }

    private static EngineRequest req(String id, int[] prompt, String lora, String salt) {
        return new EngineRequest(id, prompt, 1, 0, true, lora, salt, KvTransfer.NONE);
    }

    @Test
    void hitsAreCountedInTokensOfFullBlocks() {
        int[] prompt = Driver.tokens(1, 100);
        assertThat(cachedTokensOf(req("a", prompt, null, null))).isZero();
        // 100 tokens: 6 full blocks (96 tokens) cached.
        assertThat(cachedTokensOf(req("b", prompt, null, null))).isEqualTo(96);
        // The last prompt token is always computed: a 96-token prompt can reuse only 5 of its 6 blocks.
        assertThat(cachedTokensOf(req("c", Driver.tokens(1, 96), null, null))).isEqualTo(80);
        // A prompt that shares its first 50 tokens shares 3 full blocks.
        assertThat(cachedTokensOf(req("d", Driver.concat(Driver.tokens(1, 50), Driver.tokens(9000, 50)), null,
                null))).isEqualTo(48);

        EngineStats stats = d.engine.stats();
        assertThat(stats.prefixCacheQueries()).isEqualTo(100 + 100 + 96 + 100);
        assertThat(stats.prefixCacheHits()).isEqualTo(96 + 80 + 48);
        assertThat(stats.promptTokens()).isEqualTo(396);
        assertThat(stats.generationTokens()).isEqualTo(4);
    }

    @Test
    void loraAndCacheSaltSeparateCaches() {
        int[] prompt = Driver.tokens(1, 100);
        cachedTokensOf(req("base", prompt, null, null));
        assertThat(cachedTokensOf(req("lora", prompt, "sql-adapter", null))).isZero();
        assertThat(cachedTokensOf(req("lora-again", prompt, "sql-adapter", null))).isEqualTo(96);
        assertThat(cachedTokensOf(req("salted", prompt, null, "tenant-1"))).isZero();
        assertThat(cachedTokensOf(req("salted-again", prompt, null, "tenant-1"))).isEqualTo(96);
        assertThat(cachedTokensOf(req("other-salt", prompt, null, "tenant-2"))).isZero();
    }

    @Test
    void generatedTokensAreCachedForTheNextTurn() {
        int[] prompt = Driver.tokens(1, 96);
        d.submit("turn-1", prompt, 32);
        d.runToIdle();
        // Turn 2 sends the answer back: the text a server prints for the 32 output tokens.
        int[] answer = dev.jetway.kvcache.tokenize.SimpleWordTokenizer.instance().encode(
                dev.jetway.kvcache.tokenize.FillerText.sequence(32, OutputTokens.offsetFor(prompt)));
        int[] next = Driver.concat(Driver.concat(prompt, answer), Driver.tokens(7000, 10));
        // 96 + 31 tokens were computed (the last output token never is): 7 full blocks.
        assertThat(cachedTokensOf(req("turn-2", next, null, null))).isEqualTo(112);
    }

    @Test
    void freedBlocksAreEvictedLeastRecentlyUsedFirst() {
        Driver small = new Driver(ToyProfile.config(4, 6));
        small.submit("A", Driver.tokens(100, 8), 1);
        small.runToIdle();
        small.submit("B", Driver.tokens(200, 8), 1);
        small.runToIdle();
        long[] a = stored(small, 0);
        long[] b = stored(small, 1);
        // Using A's prefix again makes it more recent than B.
        Driver.Trace c = small.submit("C", Driver.concat(Driver.tokens(100, 8), new int[] {5}), 1);
        small.runToIdle();
        assertThat(c.cachedAtSchedule).isEqualTo(8);
        small.events.clear();
        // D needs 5 of the 6 blocks: two never-cached ones, then B's (tail block first), then A's tail block.
        small.submit("D", Driver.tokens(300, 20), 1);
        small.runToIdle();
        List<Long> removed = small.events.stream().map(Driver.TimedEvent::event)
                .filter(e -> e instanceof KvEvent.BlockRemoved).map(e -> ((KvEvent.BlockRemoved) e).blockHashes()[0])
                .toList();
        assertThat(removed).containsExactly(b[1], b[0], a[1]);
        // A's first block survived.
        Driver.Trace e = small.submit("E", Driver.tokens(100, 8), 1);
        small.runToIdle();
        assertThat(e.cachedAtSchedule).isEqualTo(4);
    }

    private static long[] stored(Driver driver, int index) {
        return driver.events.stream().map(Driver.TimedEvent::event)
                .filter(e -> e instanceof KvEvent.BlockStored).map(e -> ((KvEvent.BlockStored) e).blockHashes())
                .toList().get(index);
    }
}
