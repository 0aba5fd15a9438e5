package dev.jetway.sim.llamacpp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a Llama-architecture GGUF model with random weights, so a real {@code llama-server} can run without any
 * download: the tokenizer (every {@code tokenizer.*} key) is copied from a vocab-only GGUF that ships with llama.cpp
 * ({@code models/ggml-vocab-llama-spm.gguf}, the Llama SentencePiece vocabulary), the weights are uniform with the
 * variance of N(0, 1/fan_in) from a seeded generator, norms are 1. Outputs are gibberish; compute, KV cache, slot
 * scheduling and timings are real. A few seconds for the small shapes.
 */
public final class GgufRandomModel {

    /**
     * Model shape.
     *
     * @param layers   transformer blocks
     * @param hidden   embedding width
     * @param ff       feed-forward width
     * @param heads    attention heads
     * @param kvHeads  key/value heads (GQA when fewer than heads)
     * @param context  trained context length written into the file
     */
    public record Shape(String name, int layers, int hidden, int ff, int heads, int kvHeads, int context) {

        /** 4 × 256, 19.6 M parameters, 38 MiB: functional tests (about 0.3 s for a cold 2k-token prefill). */
        public static final Shape TINY = new Shape("tiny", 4, 256, 704, 4, 4, 8192);
        /** 8 × 512, 58.5 M parameters, 112 MiB: benchmarks (about 1.5-3 s for a cold 2k-token prefill per core). */
        public static final Shape SMALL = new Shape("small", 8, 512, 1408, 8, 8, 8192);

        public static Shape named(String name) {
            return switch (name) {
                case "tiny" -> TINY;
                case "small" -> SMALL;
                default -> throw new IllegalArgumentException("unknown model shape " + name + " (tiny or small)");
            };
        }
    }

    private static final int ALIGNMENT = 32;
    private static final int GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_STRING = 8;
    private static final int GGML_F32 = 0;
    private static final int GGML_F16 = 1;

    private GgufRandomModel() {
    }

    /**
     * Writes {@code shape} to {@code out} (atomically: a reader never sees half a file) unless it is already there.
     * Returns {@code out}.
     */
    public static Path writeIfAbsent(Path out, Path vocabGguf, Shape shape, long seed) throws IOException {
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            return out;
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName().toString(), ".partial");
        try {
            write(tmp, vocabGguf, shape, seed);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return out;
    }

    public static void write(Path out, Path vocabGguf, Shape shape, long seed) throws IOException {
        VocabKeys vocab = VocabKeys.read(vocabGguf);
        List<Tensor> tensors = tensors(shape, vocab.vocabSize());
        ByteArrayBuilder meta = new ByteArrayBuilder();
        int kvCount = 0;
        meta.string("general.architecture").u32(TYPE_STRING).string("llama");
        meta.string("general.name").u32(TYPE_STRING).string("jetway-random-" + shape.name());
        meta.string("general.file_type").u32(TYPE_UINT32).u32(1); // mostly F16
        kvCount += 3;
        int headDim = shape.hidden() / shape.heads();
        for (Object[] kv : new Object[][]{{"llama.context_length", shape.context()},
                {"llama.embedding_length", shape.hidden()}, {"llama.block_count", shape.layers()},
                {"llama.feed_forward_length", shape.ff()}, {"llama.attention.head_count", shape.heads()},
                {"llama.attention.head_count_kv", shape.kvHeads()}, {"llama.rope.dimension_count", headDim},
                {"llama.vocab_size", vocab.vocabSize()}}) {
            meta.string((String) kv[0]).u32(TYPE_UINT32).u32((Integer) kv[1]);
            kvCount++;
        }
        meta.string("llama.attention.layer_norm_rms_epsilon").u32(TYPE_FLOAT32).f32(1e-5f);
        meta.string("llama.rope.freq_base").u32(TYPE_FLOAT32).f32(10000f);
        kvCount += 2;
        meta.raw(vocab.rawKeys());
        kvCount += vocab.count();

        long offset = 0;
        ByteArrayBuilder infos = new ByteArrayBuilder();
        for (Tensor t : tensors) {
            infos.string(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                infos.u64(d);
            }
            infos.u32(t.f16() ? GGML_F16 : GGML_F32).u64(offset);
            offset = align(offset + t.bytes());
        }
        ByteArrayBuilder header = new ByteArrayBuilder().u32(GGUF_MAGIC).u32(3).u64(tensors.size()).u64(kvCount);

        SplittableRandom random = new SplittableRandom(seed);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = writeAll(ch, header.buffer());
            pos += writeAll(ch, meta.buffer());
            pos += writeAll(ch, infos.buffer());
            pos += writeAll(ch, ByteBuffer.allocate((int) (align(pos) - pos)));
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                long written = writeTensor(ch, buf, t, random);
                writeAll(ch, ByteBuffer.allocate((int) (align(written) - written)));
            }
        }
    }

    private static long writeTensor(FileChannel ch, ByteBuffer buf, Tensor t, SplittableRandom random)
            throws IOException {
        long n = t.elements();
        // uniform on [-a, a] has variance a^2/3: a = sqrt(3 / fan_in) gives N(0, 1/fan_in)'s variance
        float a = (float) Math.sqrt(3.0 / t.dims()[0]);
        long written = 0;
        for (long i = 0; i < n; i++) {
            if (buf.remaining() < 4) {
                written += flush(ch, buf);
            }
            if (t.norm()) {
                buf.putFloat(1f);
            } else if (t.f16()) {
                buf.putShort(Float.floatToFloat16((float) (random.nextDouble() * 2 - 1) * a));
            } else {
                buf.putFloat((float) (random.nextDouble() * 2 - 1) * a);
            }
        }
        return written + flush(ch, buf);
    }

    private static long flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        long n = writeAll(ch, buf);
        buf.clear();
        return n;
    }

    private static long writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b);
        }
        return n;
    }

    private static long align(long x) {
        return (x + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private record Tensor(String name, long[] dims, boolean f16, boolean norm) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        long bytes() {
            return elements() * (f16 ? 2 : 4);
        }
    }

    /** The tensors of a Llama model in ggml's dimension order (the row length first). */
    private static List<Tensor> tensors(Shape s, int vocab) {
        int kvDim = s.hidden() / s.heads() * s.kvHeads();
        List<Tensor> list = new ArrayList<>();
        list.add(new Tensor("token_embd.weight", new long[]{s.hidden(), vocab}, true, false));
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            list.add(new Tensor(p + "attn_norm.weight", new long[]{s.hidden()}, false, true));
            list.add(new Tensor(p + "attn_q.weight", new long[]{s.hidden(), s.hidden()}, true, false));
            list.add(new Tensor(p + "attn_k.weight", new long[]{s.hidden(), kvDim}, true, false));
            list.add(new Tensor(p + "attn_v.weight", new long[]{s.hidden(), kvDim}, true, false));
            list.add(new Tensor(p + "attn_output.weight", new long[]{s.hidden(), s.hidden()}, true, false));
            list.add(new Tensor(p + "ffn_norm.weight", new long[]{s.hidden()}, false, true));
            list.add(new Tensor(p + "ffn_gate.weight", new long[]{s.hidden(), s.ff()}, true, false));
            list.add(new Tensor(p + "ffn_up.weight", new long[]{s.hidden(), s.ff()}, true, false));
            list.add(new Tensor(p + "ffn_down.weight", new long[]{s.ff(), s.hidden()}, true, false));
        }
        list.add(new Tensor("output_norm.weight", new long[]{s.hidden()}, false, true));
        list.add(new Tensor("output.weight", new long[]{s.hidden(), vocab}, true, false));
        return list;
    }

    /** The {@code tokenizer.*} key/values of a GGUF file, as raw bytes ready to copy, and the vocabulary size. */
    private record VocabKeys(byte[] rawKeys, int count, int vocabSize) {

        static VocabKeys read(Path gguf) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(gguf)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt() != GGUF_MAGIC) {
                throw new IOException(gguf + " is not a GGUF file");
            }
            int version = b.getInt();
            if (version < 2) {
                throw new IOException(gguf + ": GGUF version " + version + " is too old");
            }
            b.getLong(); // tensor count
            long kvs = b.getLong();
            ByteArrayBuilder out = new ByteArrayBuilder();
            int count = 0;
            int vocabSize = -1;
            for (long i = 0; i < kvs; i++) {
                int start = b.position();
                String key = readString(b);
                int type = b.getInt();
                int valueStart = b.position();
                skipValue(b, type);
                if (key.startsWith("tokenizer.")) {
                    out.raw(java.util.Arrays.copyOfRange(b.array(), start, b.position()));
                    count++;
                    if (key.equals("tokenizer.ggml.tokens")) {
                        vocabSize = (int) b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(valueStart + 4)
                                .getLong();
                    }
                }
            }
            if (vocabSize <= 0) {
                throw new IOException(gguf + " has no tokenizer.ggml.tokens");
            }
            return new VocabKeys(out.bytes(), count, vocabSize);
        }

        private static String readString(ByteBuffer b) {
            int len = (int) b.getLong();
            String s = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
            b.position(b.position() + len);
            return s;
        }

        private static void skipValue(ByteBuffer b, int type) throws IOException {
            switch (type) {
                case 0, 1, 7 -> b.position(b.position() + 1);
                case 2, 3 -> b.position(b.position() + 2);
                case 4, 5, 6 -> b.position(b.position() + 4);
                case 10, 11, 12 -> b.position(b.position() + 8);
                case 8 -> {
                    long len = b.getLong();
                    b.position(b.position() + (int) len);
                }
                case 9 -> {
                    int elem = b.getInt();
                    long n = b.getLong();
                    for (long j = 0; j < n; j++) {
                        skipValue(b, elem);
                    }
                }
                default -> throw new IOException("unknown GGUF value type " + type);
            }
        }
    }

    /** A little-endian byte sink for the header parts. */
    private static final class ByteArrayBuilder {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        ByteArrayBuilder u32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        ByteArrayBuilder u64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        ByteArrayBuilder f32(float v) {
            ensure(4);
            buf.putFloat(v);
            return this;
        }

        ByteArrayBuilder string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            return raw(bytes);
        }

        ByteArrayBuilder raw(byte[] bytes) {
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes());
        }
    }
}
