package dev.jetway.gateway.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.kvcache.index.precise.EndpointStats;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class KvEventSubscriberTest {

    private static final KvTopic TOPIC = KvTopic.of("127.0.0.1:8000", "m");

    private final PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(2));

    private static byte[][] message(long seq, long firstHash) {
        KvEvent stored = new KvEvent.BlockStored(new long[] {firstHash, firstHash + 1}, null, new int[] {1, 2, 3, 4},
                2, null, null, null);
        return KvEventMessage.of(TOPIC, seq, new KvEventBatch(0, List.of(stored), null)).frames();
    }

    private EndpointStats stats() {
        return index.endpointStats().getFirst();
    }

    @Test
    void malformedMessagesAreCountedAndSkippedAndGapsRebuild() {
        try (ZContext zmq = new ZContext(1)) {
            KvEventSubscriber s = new KvEventSubscriber(zmq, "tcp://127.0.0.1:1", "127.0.0.1:8000", null, "kv@", index);
            s.handle(List.<byte[]>of(message(0, 10)[0]));                        // one frame only
            s.handle(List.of("kv@only-two".getBytes(StandardCharsets.UTF_8), new byte[8], new byte[1]));
            s.handle(List.of(message(0, 10)[0], new byte[3], message(0, 10)[2])); // short sequence frame
            assertThat(s.malformedFrames()).isEqualTo(3);
            assertThat(index.endpointStats()).isEmpty(); // nothing valid seen: not even registered

            byte[][] ok = message(0, 10);
            s.handle(List.of(ok[0], ok[1], ok[2]));
            assertThat(stats().model()).isEqualTo("m");
            assertThat(stats().blocksStored()).isEqualTo(2);
            byte[][] garbage = message(1, 20);
            s.handle(List.of(garbage[0], garbage[1], new byte[] {(byte) 0xc1})); // payload is not msgpack
            assertThat(stats().malformedMessages()).isEqualTo(1);
            assertThat(stats().engineBlocks()).isZero(); // untrusted: dropped, rebuilt from what follows
            byte[][] afterGap = message(5, 30);
            s.handle(List.of(afterGap[0], afterGap[1], afterGap[2]));
            assertThat(stats().sequenceGaps()).isEqualTo(1);
            assertThat(stats().engineBlocks()).isEqualTo(2);
            assertThat(s.received()).isEqualTo(6);
        }
    }

    @Test
    void readsAPublisherOverZmqAndForgetsTheEndpointWhenClosed() {
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket pub = zmq.createSocket(SocketType.PUB);
            pub.bind("tcp://127.0.0.1:*");
            String endpoint = pub.getLastEndpoint();
            KvEventSubscriber s = new KvEventSubscriber(zmq, endpoint, "127.0.0.1:8000", "m", "kv@", index).start();
            assertThat(index.endpointId("127.0.0.1:8000")).isPresent(); // known model: registered at once
            long[] seq = {0};
            // the condition runs on this thread: a ZMQ socket must stay on the thread that uses it
            await().pollInSameThread().atMost(Duration.ofSeconds(5)).until(() -> {
                byte[][] frames = message(seq[0]++, 100 * seq[0]);
                pub.send(frames[0], ZMQ.SNDMORE);
                pub.send(frames[1], ZMQ.SNDMORE);
                pub.send(frames[2], 0);
                return s.received() > 0;
            });
            byte[] wrongTopic = "other@x@m".getBytes(StandardCharsets.UTF_8);
            pub.send(wrongTopic, ZMQ.SNDMORE);
            pub.send(new byte[8], ZMQ.SNDMORE);
            pub.send(new byte[1], 0);
            assertThat(stats().blocksStored()).isPositive();
            s.close();
            assertThat(index.endpointId("127.0.0.1:8000")).isEmpty();
            assertThat(s.malformedFrames()).isZero(); // the filter kept the other topic out
        }
    }
}
