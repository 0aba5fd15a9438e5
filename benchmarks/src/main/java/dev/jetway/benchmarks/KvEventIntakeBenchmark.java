package dev.jetway.benchmarks;

import dev.jetway.gateway.kvevents.KvEventIntake;
import dev.jetway.gateway.kvevents.PrecisePoolPlan;
import dev.jetway.gateway.kvevents.PreciseTarget;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.kvcache.index.precise.EndpointStats;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The gateway's KV-event intake end to end on loopback: a ZMQ PUB (standing in for a vLLM replica) sends
 * {@code EventBatch} messages; the gateway's {@link KvEventIntake} subscriber thread receives, decodes and applies
 * them to the pool's precise index. Each message is one engine step's churn on one 16-block chain:
 * {@code [BlockRemoved(16), BlockStored(16)]}, chains cycling over 1,024 so the index stays at ~16k entries. Messages
 * are encoded up front; the measured time runs from the first send until the index has applied the last message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx1g"})
public class KvEventIntakeBenchmark {

    static final int BLOCK_SIZE = 16;
    static final int BLOCKS_PER_MESSAGE = 16;
    static final int CHAINS = 1024;
    static final int MESSAGES_PER_OP = 1000;
    static final String ENDPOINT = "127.0.0.1:8000";

    private ZContext zmq;
    private ZMQ.Socket pub;
    private KvEventIntake intake;
    private PrecisePrefixIndex index;
    private int endpointId;
    private byte[] topic;
    private byte[][] payloads;
    private long seq;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        zmq = new ZContext(1);
        pub = zmq.createSocket(SocketType.PUB);
        pub.setSndHWM(1_000_000);
        pub.bind("tcp://127.0.0.1:*");
        intake = new KvEventIntake(new GatewayMetrics());
        index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BLOCK_SIZE));
        PrecisePrefixCacheProducer producer = PrecisePrefixCacheProducer.create(PrecisePrefixCacheProducer.TYPE,
                PluginParameters.none(PrecisePrefixCacheProducer.TYPE),
                SchedulerEnvironment.system().withPreciseIndex(index));
        intake.sync(List.of(new PrecisePoolPlan("bench", producer,
                List.of(new PreciseTarget(ENDPOINT, pub.getLastEndpoint(), null)), "m", "bench")));
        endpointId = index.endpointId(ENDPOINT).orElseThrow();
        topic = KvTopic.of(ENDPOINT, "m").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        payloads = new byte[CHAINS][];
        for (int c = 0; c < CHAINS; c++) {
            long[] hashes = new long[BLOCKS_PER_MESSAGE];
            int[] tokens = new int[BLOCKS_PER_MESSAGE * BLOCK_SIZE];
            for (int b = 0; b < hashes.length; b++) {
                hashes[b] = (long) c * 1_000 + b + 1;
            }
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = c * 7_919 + t;
            }
            payloads[c] = KvEventMessage.of(KvTopic.of(ENDPOINT, "m"), 0, new KvEventBatch(0, List.of(
                    new KvEvent.BlockRemoved(hashes, null),
                    new KvEvent.BlockStored(hashes, null, tokens, BLOCK_SIZE, null, null, null)), null)).payload();
        }
        // the SUB socket joins asynchronously: publish until the first message is applied
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (applied() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscriber never joined");
            }
            send();
            Thread.sleep(10);
        }
        long target = seq;
        while (applied() < 1 || index.endpointStats(endpointId).lastSeq() != target - 1) {
            Thread.onSpinWait();
            if (System.nanoTime() > deadline) {
                break;
            }
        }
    }

    private long applied() {
        EndpointStats s = index.endpointStats(endpointId);
        return s.messages();
    }

    private void send() {
        pub.send(topic, ZMQ.SNDMORE);
        pub.send(KvEventMessage.encodeSeq(seq++), ZMQ.SNDMORE);
        pub.send(payloads[next], 0);
        next = (next + 1) % CHAINS;
    }

    /** One op = one message of 16 removed + 16 stored blocks, from send until applied (amortised over 1,000). */
    @Benchmark
    @OperationsPerInvocation(MESSAGES_PER_OP)
    public long publishAndApply() {
        for (int i = 0; i < MESSAGES_PER_OP; i++) {
            send();
        }
        long last = seq - 1;
        // poll by parking, not spinning: on a small machine a spinning benchmark thread would take the CPU the
        // subscriber thread needs
        while (index.endpointStats(endpointId).lastSeq() != last) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        return last;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        EndpointStats s = index.endpointStats(endpointId);
        if (s.sequenceGaps() > 0 || s.malformedMessages() > 0) {
            // a gap means ZMQ dropped messages (high-water mark): the measurement would be wrong
            throw new IllegalStateException("intake lost messages: " + s);
        }
        intake.close();
        zmq.close();
    }
}
