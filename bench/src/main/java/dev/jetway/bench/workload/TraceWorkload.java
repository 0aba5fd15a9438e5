package dev.jetway.bench.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a Mooncake-format JSONL trace: requests arrive at their {@code timestamp} (times {@code timeScale}) and
 * block i of a prompt ({@code blockTokens} tokens, 512 in Mooncake's traces) is generated from {@code hash_ids[i]},
 * so requests that share hash ids share exactly those tokens. Tokens beyond the listed blocks are unique to the
 * request; a shorter input truncates its last block.
 */
public final class TraceWorkload implements TimedWorkload {

    public static final int MOONCAKE_BLOCK_TOKENS = 512;
    private static final long TRACE_SEED = 0x7ACE_5EEDL;

    private final List<TraceEntry> entries;
    private final double timeScale;
    private final int blockTokens;

    public TraceWorkload(List<TraceEntry> entries, double timeScale, int blockTokens) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("trace has no requests");
        }
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("time_scale must be > 0: " + timeScale);
        }
        this.entries = List.copyOf(entries);
        this.timeScale = timeScale;
        this.blockTokens = blockTokens;
    }

    /** Reads a Mooncake JSONL file; a bad line fails with its line number. */
    public static List<TraceEntry> readMooncake(Path file) {
        ObjectMapper json = new ObjectMapper();
        List<TraceEntry> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(parse(json.readTree(line)));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + file, e);
        }
        return out;
    }

    static TraceEntry parse(JsonNode node) {
        long ts = required(node, "timestamp").asLong();
        int in = required(node, "input_length").asInt();
        int outLen = required(node, "output_length").asInt();
        JsonNode ids = node.path("hash_ids");
        if (!ids.isArray()) {
            throw new IllegalArgumentException("hash_ids must be an array");
        }
        if (ts < 0 || in < 1 || outLen < 1) {
            throw new IllegalArgumentException("need timestamp >= 0, input_length >= 1, output_length >= 1");
        }
        long[] hashIds = new long[ids.size()];
        for (int i = 0; i < hashIds.length; i++) {
            hashIds[i] = ids.get(i).asLong();
        }
        return new TraceEntry(ts, in, outLen, hashIds);
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("missing or non-numeric '" + field + "'");
        }
        return v;
    }

    @Override
    public String type() {
        return "trace";
    }

    @Override
    public int size() {
        return entries.size();
    }

    /** When request {@code index} is sent, in nanoseconds from the start (scaled). */
    @Override
    public long arrivalNanos(int index) {
        return Math.round(entries.get(index).timestampMs() * 1_000_000.0 * timeScale);
    }

    @Override
    public WorkloadRequest request(long index) {
        if (index < 0 || index >= entries.size()) {
            throw new IndexOutOfBoundsException("trace has " + entries.size() + " requests: " + index);
        }
        TraceEntry e = entries.get((int) index);
        List<Segment> segments = new ArrayList<>(e.hashIds().length + 1);
        int remaining = e.inputLength();
        for (long id : e.hashIds()) {
            if (remaining == 0) {
                break;
            }
            int len = Math.min(blockTokens, remaining);
            segments.add(new Segment(FillerWords.derive(TRACE_SEED, id), len));
            remaining -= len;
        }
        if (remaining > 0) {
            segments.add(new Segment(FillerWords.derive(TRACE_SEED, -1, index), remaining));
        }
        String session = e.hashIds().length > 0 ? "block-" + e.hashIds()[0] : "request-" + index;
        return new WorkloadRequest(index, new Prompt(segments), e.outputLength(), session);
    }
}
