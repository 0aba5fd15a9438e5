package dev.jetway.kvcache.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

class XxHash64Test {

    @Test
    void intsHashLikeTheLibrarysXxHashOfTheirLittleEndianBytesForEveryLengthAndSeed() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int round = 0; round < 3_000; round++) {
            int[] ints = rnd.ints(rnd.nextInt(0, 140)).toArray();
            int offset = ints.length == 0 ? 0 : rnd.nextInt(ints.length);
            int length = rnd.nextInt(ints.length - offset + 1);
            long seed = round % 3 == 0 ? 0 : rnd.nextLong();
            ByteBuffer bytes = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(ints, offset, length);
            long expected = LongHashFunction.xx(seed).hashBytes(bytes.array());
            assertThat(XxHash64.hashInts(seed, ints, offset, length))
                    .as("seed %d, %d ints from %d", seed, length, offset).isEqualTo(expected);
        }
    }

    @Test
    void bytesHashLikeTheLibraryForEveryLengthOffsetAndSeed() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int round = 0; round < 3_000; round++) {
            byte[] bytes = new byte[rnd.nextInt(0, 300)];
            rnd.nextBytes(bytes);
            int offset = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length);
            int length = rnd.nextInt(bytes.length - offset + 1);
            long seed = round % 3 == 0 ? 0 : rnd.nextLong();
            assertThat(XxHash64.hashBytes(seed, bytes, offset, length))
                    .as("seed %d, %d bytes from %d", seed, length, offset)
                    .isEqualTo(LongHashFunction.xx(seed).hashBytes(bytes, offset, length));
        }
    }

    @Test
    void matchesThePublishedXxh64OfTheEmptyInput() {
        assertThat(XxHash64.hashInts(0, new int[0], 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(XxHash64.hashBytes(0, new byte[0], 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
    }

    @Test
    void rejectsARangeOutsideTheArray() {
        assertThatThrownBy(() -> XxHash64.hashInts(0, new int[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> XxHash64.hashBytes(0, new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
