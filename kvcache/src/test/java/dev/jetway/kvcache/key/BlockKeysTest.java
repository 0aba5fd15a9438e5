package dev.jetway.kvcache.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockKeysTest {

    private final long root = BlockKeys.root("Qwen/Qwen3-32B", null);

    @Test
    void sharedPrefixSharesKeysUpToTheFirstDifferentBlock() {
        int[] a = IntStream.range(0, 64).toArray();
        int[] b = a.clone();
        b[40] = -1; // block 2 of 16
        long[] ka = BlockKeys.of(a, 16, root);
        long[] kb = BlockKeys.of(b, 16, root);
        assertThat(ka).hasSize(4);
        assertThat(kb[0]).isEqualTo(ka[0]);
        assertThat(kb[1]).isEqualTo(ka[1]);
        assertThat(kb[2]).isNotEqualTo(ka[2]);
        assertThat(kb[3]).as("chained: a change poisons every later block").isNotEqualTo(ka[3]);
    }

    @Test
    void modelAndSaltSeparateTheChains() {
        int[] t = IntStream.range(0, 32).toArray();
        assertThat(BlockKeys.of(t, 16, BlockKeys.root("m", null))[0])
                .isNotEqualTo(BlockKeys.of(t, 16, BlockKeys.root("other", null))[0])
                .isNotEqualTo(BlockKeys.of(t, 16, BlockKeys.root("m", "tenant-a"))[0]);
        assertThat(BlockKeys.root("m", "")).isEqualTo(BlockKeys.root("m", null));
    }

    @Test
    void partialTailAndBlockCapAreOptional() {
        int[] t = IntStream.range(0, 40).toArray();
        assertThat(BlockKeys.of(t, 16, root)).hasSize(2);
        assertThat(BlockKeys.of(t, t.length, 16, root, true, 0)).hasSize(3);
        assertThat(BlockKeys.of(t, t.length, 16, root, true, 1)).hasSize(1);
        assertThatThrownBy(() -> BlockKeys.of(t, 0, root)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysAreStableAcrossReleases() {
        // Golden values: request keys appear in logs, parity reports and saved decision records.
        long[] k = BlockKeys.of(IntStream.range(0, 32).toArray(), 16, BlockKeys.root("m", null));
        assertThat(k).containsExactly(5132285838415336566L, -7210744902476877317L);
    }

    @Test
    void keysOfPackedBytesEqualKeysOfTheEstimatePseudoTokens() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int round = 0; round < 500; round++) {
            byte[] bytes = new byte[rnd.nextInt(0, 1_200)];
            rnd.nextBytes(bytes);
            int[] pseudo = dev.jetway.kvcache.tokenize.ByteEstimateTokenizer.pack(bytes);
            int blockSize = 1 + rnd.nextInt(80);
            boolean tail = rnd.nextBoolean();
            int cap = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(5) : 0;
            assertThat(BlockKeys.ofPackedBytes(bytes, blockSize, root, tail, cap))
                    .as("%d bytes, block %d, tail %s, cap %d", bytes.length, blockSize, tail, cap)
                    .containsExactly(BlockKeys.of(pseudo, pseudo.length, blockSize, root, tail, cap));
        }
        assertThatThrownBy(() -> BlockKeys.ofPackedBytes(new byte[8], 0, root, true, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
