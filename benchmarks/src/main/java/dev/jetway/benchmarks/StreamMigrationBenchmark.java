package dev.jetway.benchmarks;

import dev.jetway.gateway.proxy.OutputTokenCounter;
import dev.jetway.gateway.proxy.migration.StreamMigration;
import dev.jetway.gateway.request.ApiKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What request migration adds to the relay of every streamed event (docs/operations.md, "Request migration"): one
 * vLLM completion chunk in a direct buffer, as the HTTP decoder hands it over, through {@link StreamMigration#relay}
 * (framing into whole events, the transcript's reading of it). A stream is 2,000 events long, then a new one starts.
 * {@code outputTokenCounter} is what the relay already did to every event before (the {@link OutputTokenCounter}'s
 * scan), the yardstick on a machine whose absolute numbers drift.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class StreamMigrationBenchmark {

    private static final String EVENT = "data: {\"id\":\"cmpl-65e70724006ce30161bb4461039ac9e1\","
            + "\"object\":\"text_completion\",\"created\":1796645536,\"model\":\"Qwen/Qwen3-32B\",\"choices\":[{"
            + "\"index\":0,\"text\":\" word\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}\n\n";

    private ByteBuf event;
    private StreamMigration migration;
    private OutputTokenCounter counter;
    private int events;

    @Setup
    public void setUp() {
        byte[] bytes = EVENT.getBytes(StandardCharsets.UTF_8);
        event = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    @TearDown
    public void tearDown() {
        event.release();
    }

    @Benchmark
    public int relay() {
        if (events++ % 2000 == 0) {
            migration = new StreamMigration(ApiKind.COMPLETIONS, 3, null);
        }
        ByteBuf out = migration.relay(event, PooledByteBufAllocator.DEFAULT);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int outputTokenCounter() {
        if (events++ % 2000 == 0) {
            counter = OutputTokenCounter.forEventStream();
        }
        counter.scan(event);
        return counter.contentChunks();
    }
}
