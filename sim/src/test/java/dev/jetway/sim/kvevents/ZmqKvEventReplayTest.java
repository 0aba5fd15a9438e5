package dev.jetway.sim.kvevents;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.sim.kvevents.ReplayClient.Replayed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** vLLM's KV-event replay protocol against real ZMQ sockets: a SUB for the live stream, a DEALER for replay. */
class ZmqKvEventReplayTest {

    private static final KvTopic TOPIC = KvTopic.of("127.0.0.1:8000", "m");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private long nextHash;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    @Test
    void replayFromZeroReturnsEveryBufferedMessageAsTheSubscriberSawItThenTheEndMarker() {
        ZmqKvEventPublisher publisher = publisher(ZmqKvEventPublisher.DEFAULT_REPLAY_BUFFER_STEPS);
        ZMQ.Socket sub = subscriber(publisher);
        List<KvEventMessage> live = new ArrayList<>();
        long published = joinStream(publisher, sub);
        publishBatches(publisher, 3);
        published += 3;
        receiveThrough(sub, published - 1, live);
        assertThat(live).hasSize(3);

        List<Replayed> replayed = replayClient(publisher).replayFrom(0);

        // Probes sent before the SUB had joined are in the buffer too: replay is what a late joiner recovers with.
        assertThat(replayed).extracting(Replayed::seq).containsExactlyElementsOf(seqs(0, published));
        for (KvEventMessage message : live) {
            assertThat(replayed.get((int) message.seq()).payload()).isEqualTo(message.payload());
        }
    }

    @Test
    void replayFromTheMiddleReturnsOnlyThatSequenceAndLater() {
        ZmqKvEventPublisher publisher = publisher(100);
        ReplayClient client = replayClient(publisher);
        publishBatches(publisher, 5);
        awaitBuffered(client, 5);

        assertThat(client.replayFrom(3)).extracting(Replayed::seq).containsExactly(3L, 4L);
        assertThat(client.replayFrom(5)).isEmpty();
    }

    @Test
    void withheldMessagesLeaveAGapOnPubThatReplayFills() {
        ZmqKvEventPublisher publisher = publisher(100);
        ZMQ.Socket sub = subscriber(publisher);
        long last = joinStream(publisher, sub) - 1;

        publisher.withholdNext(2);
        publishBatches(publisher, 3);
        KvEventMessage next = receive(sub);

        assertThat(next.seq()).as("the SUB sees a gap of two").isEqualTo(last + 3);
        List<Replayed> replayed = replayClient(publisher).replayFrom(last + 1);
        assertThat(replayed).extracting(Replayed::seq).containsExactly(last + 1, last + 2, last + 3);
        assertThat(replayed.getLast().payload()).isEqualTo(next.payload());
        assertThat(replayed.getFirst().payload()).isNotEqualTo(next.payload());
    }

    @Test
    void theBufferKeepsOnlyTheLastNMessages() {
        ZmqKvEventPublisher publisher = publisher(3);
        ReplayClient client = replayClient(publisher);
        publishBatches(publisher, 5);
        await().pollInSameThread().atMost(Duration.ofSeconds(20))
                .until(() -> client.replayFrom(0).stream().anyMatch(r -> r.seq() == 4));

        assertThat(client.replayFrom(0)).extracting(Replayed::seq).containsExactly(2L, 3L, 4L);
    }

    @Test
    void malformedRequestsGetNoReplyAndTheSocketKeepsAnswering() {
        ZmqKvEventPublisher publisher = publisher(100);
        ReplayClient client = replayClient(publisher);
        publishBatches(publisher, 2);
        awaitBuffered(client, 2);

        client.sendRaw(KvEventMessage.encodeSeq(0));                                 // ROUTER sees 2 frames
        client.sendRaw(new byte[0], KvEventMessage.encodeSeq(0), new byte[]{1});    // ROUTER sees 4 frames
        // The ROUTER answers in order: had either bad request been answered, its end marker would come first and
        // this reply would be empty.
        assertThat(client.replayFrom(1)).extracting(Replayed::seq).containsExactly(1L);
    }

    @Test
    void replayIsOffUnlessAnEndpointIsGivenAndBufferSizeMustBePositive() {
        try (ZmqKvEventPublisher plain = new ZmqKvEventPublisher("tcp://127.0.0.1:0", TOPIC)) {
            assertThat(plain.replayEndpoint()).isNull();
            assertThat(plain.replayPort()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> new ZmqKvEventPublisher("tcp://127.0.0.1:0", TOPIC, "tcp://127.0.0.1:0", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private ZmqKvEventPublisher publisher(int bufferSteps) {
        ZmqKvEventPublisher publisher =
                new ZmqKvEventPublisher("tcp://127.0.0.1:0", TOPIC, "tcp://127.0.0.1:0", bufferSteps);
        toClose.add(publisher);
        assertThat(publisher.replayPort()).isPositive().isNotEqualTo(publisher.port());
        return publisher;
    }

    private ReplayClient replayClient(ZmqKvEventPublisher publisher) {
        ReplayClient client = new ReplayClient("tcp://127.0.0.1:" + publisher.replayPort());
        toClose.add(client);
        return client;
    }

    private ZMQ.Socket subscriber(ZmqKvEventPublisher publisher) {
        ZContext context = new ZContext(1);
        toClose.add(context);
        ZMQ.Socket sub = context.createSocket(SocketType.SUB);
        sub.setReceiveTimeOut(200);
        sub.setHandshakeIvl(2_000);
        sub.subscribe("kv@".getBytes());
        sub.connect("tcp://127.0.0.1:" + publisher.port());
        return sub;
    }

    /**
     * Publishes probe batches until the SUB receives one, then receives the rest of them; returns how many batches
     * were published (all of them are in the replay buffer; the SUB has seen through the last).
     */
    private long joinStream(ZmqKvEventPublisher publisher, ZMQ.Socket sub) {
        long[] published = {0};
        KvEventMessage[] first = {null};
        // A SUB misses what was published before its subscription arrived. Runs on this thread: ZMQ sockets must.
        await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
            publishBatches(publisher, 1);
            published[0]++;
            first[0] = receiveWithin(sub, Duration.ofMillis(200));
            return first[0] != null;
        });
        if (first[0].seq() < published[0] - 1) {
            receiveThrough(sub, published[0] - 1, new ArrayList<>());
        }
        return published[0];
    }

    /** Receives live messages up to and including {@code lastSeq}. */
    private static void receiveThrough(ZMQ.Socket sub, long lastSeq, List<KvEventMessage> into) {
        KvEventMessage message;
        do {
            message = receive(sub);
            into.add(message);
        } while (message.seq() < lastSeq);
    }

    private static KvEventMessage receive(ZMQ.Socket sub) {
        KvEventMessage message = receiveWithin(sub, Duration.ofSeconds(10));
        assertThat(message).as("a live message within 10 s").isNotNull();
        return message;
    }

    /** One whole three-frame message, or null if none arrives in time. */
    private static KvEventMessage receiveWithin(ZMQ.Socket sub, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] topic;
        while ((topic = sub.recv()) == null) {
            if (System.nanoTime() >= deadline) {
                return null;
            }
        }
        return KvEventMessage.fromFrames(topic, sub.recv(), sub.recv());
    }

    /** Exactly {@code n} batches: each is a full batch, which the publisher sends at once. */
    private void publishBatches(ZmqKvEventPublisher publisher, int n) {
        for (int i = 0; i < n * ZmqKvEventPublisher.BATCH_EVENTS; i++) {
            publisher.accept(new KvEvent.BlockRemoved(new long[]{nextHash++}, "GPU", null), 0);
        }
    }

    private static void awaitBuffered(ReplayClient client, int messages) {
        await().pollInSameThread().atMost(Duration.ofSeconds(20))
                .until(() -> client.replayFrom(0).size() == messages);
    }

    private static List<Long> seqs(long fromInclusive, long toExclusive) {
        List<Long> seqs = new ArrayList<>();
        for (long s = fromInclusive; s < toExclusive; s++) {
            seqs.add(s);
        }
        return seqs;
    }
}
