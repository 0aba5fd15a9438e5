package dev.jetway.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.BadRequestException;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.kvcache.tokenize.FillerText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway reading the routing fields of a completions body held in a direct buffer, as the HTTP aggregator hands
 * it over: {@code gateway} is {@link RequestParser} as it runs; {@code jacksonGetText} is the way it worked before
 * (Jackson over a stream of the buffer, the prompt decoded by {@code getText()}), kept here as the baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class RequestParserBenchmark {

    @Param({"2", "220"})
    int promptKb;

    private ByteBuf body;
    private RequestParser parser;
    private JsonFactory json;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(42);
        StringBuilder prompt = new StringBuilder(promptKb * 1024 + 64);
        while (prompt.length() < promptKb * 1024) {
            prompt.append(FillerText.random(256, rng));
        }
        byte[] bytes = ("{\"model\":\"m\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        body = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        parser = new RequestParser(8 << 20);
        json = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(8 << 20).build()).build();
    }

    @TearDown
    public void tearDown() {
        body.release();
    }

    @Benchmark
    public String gateway(ThreadCpuCounter cpu) throws BadRequestException {
        cpu.call();
        return parser.parse(ApiKind.COMPLETIONS, body).promptText();
    }

    @Benchmark
    public String jacksonGetText(ThreadCpuCounter cpu) throws IOException {
        cpu.call();
        String prompt = null;
        try (JsonParser p = json.createParser((InputStream) new ByteBufInputStream(body.duplicate()))) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("prompt") && v == JsonToken.VALUE_STRING) {
                    prompt = p.getText();
                } else if (v == JsonToken.VALUE_STRING || v.isScalarValue()) {
                    p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return prompt;
    }
}
