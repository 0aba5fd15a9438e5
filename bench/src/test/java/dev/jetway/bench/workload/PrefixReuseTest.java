package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixReuseTest {

    @Test
    void countsLeadingFullBlocksSeenInAnEarlierPrompt() {
        Segment shared = new Segment(1, 130);
        Prompt a = Prompt.of(shared, new Segment(2, 70));           // 200 tokens, nothing seen before
        Prompt b = Prompt.of(shared, new Segment(3, 170));          // 300 tokens: blocks 0 and 1 (128) seen in a
        Prompt c = Prompt.of(new Segment(4, 64), shared);           // same tokens later on: a prefix cache cannot use them
        Prompt d = Prompt.of(shared, new Segment(2, 70));           // a repeat of a: all three of its full blocks
        double share = PrefixReuse.share(List.of(a, b, c, d), 64);
        assertThat(share).isCloseTo((128 + 192) / (200.0 + 300 + 194 + 200), within(1e-12));
        assertThat(PrefixReuse.share(List.of(a), 64)).isZero();
    }
}
