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
            KvEventSubscriber s = new KvEventSubscriber(zmq, "tcp://127.0.0.1:1", null, "127.0.0.1:8000", null, "kv@", index);
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
            KvEventSubscriber s = new KvEventSubscriber(zmq, endpoint, null, "127.0.0.1:8000", "m", "kv@", index).start();
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

    @Test
    void aSubscriberWhoseZmqContextIsClosedUnderItStops() {
        ZContext zmq = new ZContext(1);
        new KvEventSubscriber(zmq, "tcp://127.0.0.1:1", null, "127.0.0.1:8011", "m", "kv@", index).start();
        zmq.close(); // e.g. a shutdown that closes the context first: every receive fails from now on
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("jetway-kv-events-127.0.0.1:8011") && t.isAlive()));
    }

    @Test
    void aSubscriptionThatHearsNothingWhileRequestsAreRoutedThereDialsAgain() throws Exception {
        PrecisePrefixIndex quick = new PrecisePrefixIndex(PreciseIndexConfig.defaults(2)
                .withParity(Duration.ofMillis(200), PreciseIndexConfig.DEFAULT_PARITY_WINDOW));
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket pub = zmq.createSocket(SocketType.PUB);
            pub.bind("tcp://127.0.0.1:*");
            String bound = pub.getLastEndpoint();
            int port = Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
            try (SilentTcpProxy proxy = new SilentTcpProxy(port)) {
                // heartbeats far too slow to matter here: the index's view of the endpoint must be enough
                KvEventSubscriber s = new KvEventSubscriber(zmq, proxy.endpoint(), null, "127.0.0.1:8000", "m", "kv@",
                        quick, new ConnectionLiveness(2_000, 60_000, 120_000, 500)).start();
                try {
                    publishUntilHeardThroughASilencedConnection(pub, proxy, s, quick);
                } finally {
                    s.close();
                }
            }
        }
    }

    private static void publishUntilHeardThroughASilencedConnection(ZMQ.Socket pub, SilentTcpProxy proxy,
                                                                    KvEventSubscriber s, PrecisePrefixIndex quick) {
        long[] seq = {0};
        Runnable publish = () -> {
            byte[][] frames = message(seq[0]++, 100 * seq[0]);
            pub.send(frames[0], ZMQ.SNDMORE);
            pub.send(frames[1], ZMQ.SNDMORE);
            pub.send(frames[2], 0);
        };
        // the condition runs on this thread: a ZMQ socket must stay on the thread that uses it
        await().pollInSameThread().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(10)).until(() -> {
            publish.run();
            return s.received() > 0;
        });
        proxy.silenceOpenConnections(); // no reset, no FIN: ZMQ sees an idle connection
        int id = quick.endpointId("127.0.0.1:8000").orElseThrow();
        long firstUnheard = seq[0];
        int[] routed = {0};
        try {
            // requests keep being routed to the endpoint, each with blocks it does not hold, as in a live pool
            await().pollInSameThread().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(10)).until(() -> {
                publish.run();
                int r = routed[0]++;
                quick.speculate(id, quick.requestKeys("m", null, null, new int[] {7, r, 7, r}));
                return quick.endpointStats(id).lastSeq() >= firstUnheard;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("nothing published after the silence arrived: proxy accepted "
                    + proxy.accepted() + " connections, " + s.resubscribes() + " resubscribes, last seq "
                    + quick.endpointStats(id).lastSeq() + " of " + seq[0], e);
        }
        assertThat(s.resubscribes()).isPositive();
        assertThat(proxy.accepted()).as("the subscriber dialled again").isGreaterThanOrEqualTo(2);
        assertThat(quick.endpointStats(id).silent()).as("heard from again").isFalse();
    }

    /**
     * A publisher's replay socket as vLLM serves it: a ROUTER that answers {@code ["", startSeq]} with every buffered
     * message from startSeq on, then the end marker, for {@code requests} requests in turn. {@code withTopic}: later
     * vLLM puts the topic before the seq.
     */
    private static Thread replayServer(ZMQ.Socket router, long firstBuffered, long lastBuffered, boolean withTopic,
                                       int requests) {
        return Thread.ofPlatform().daemon(true).start(() -> {
            for (int r = 0; r < requests; r++) {
                byte[] identity = router.recv(0);
                router.recv(0); // delimiter
                long start = KvEventMessage.decodeSeq(router.recv(0));
                for (long seq = Math.max(start, firstBuffered); seq <= lastBuffered; seq++) {
                    byte[][] frames = message(seq, 100 * seq);
                    router.sendMore(identity);
                    router.sendMore(new byte[0]);
                    if (withTopic) {
                        router.sendMore(frames[0]);
                    }
                    router.sendMore(frames[1]);
                    router.send(frames[2]);
                }
                router.sendMore(identity);
                router.sendMore(new byte[0]);
                if (withTopic) {
                    router.sendMore(new byte[0]);
                }
                router.sendMore(KvEventMessage.encodeSeq(KvEventMessage.REPLAY_END_SEQ));
                router.send(new byte[0]);
            }
        });
    }

    /**
     * A subscriber of endpoint 127.0.0.1:8000 (model m) whose publisher nobody serves, so messages arrive only through
     * {@link #deliver}, and whose replay socket is {@code replaySocket}.
     */
    private static KvEventSubscriber replaying(ZContext zmq, ZMQ.Socket replaySocket, PrecisePrefixIndex index) {
        return new KvEventSubscriber(zmq, "tcp://127.0.0.1:1", replaySocket.getLastEndpoint(), "127.0.0.1:8000", "m",
                "kv@", index);
    }

    private static void deliver(KvEventSubscriber s, long seq) {
        byte[][] frames = message(seq, 100 * seq);
        s.handle(List.of(frames[0], frames[1], frames[2]));
    }

    @Test
    void aSequenceGapIsFilledFromTheReplaySocketAndNoEntryIsDropped() throws Exception {
        for (boolean withTopic : new boolean[] {false, true}) {
            PrecisePrefixIndex fresh = new PrecisePrefixIndex(PreciseIndexConfig.defaults(2));
            try (ZContext zmq = new ZContext(1)) {
                ZMQ.Socket router = zmq.createSocket(SocketType.ROUTER);
                router.bind("tcp://127.0.0.1:*");
                Thread server = replayServer(router, 0, 3, withTopic, 1);
                KvEventSubscriber s = replaying(zmq, router, fresh);
                deliver(s, 0);
                deliver(s, 3); // 1 and 2 were lost on the way
                server.join(5_000);
                EndpointStats stats = fresh.endpointStats().getFirst();
                assertThat(stats.sequenceGaps()).as("topic frame: " + withTopic).isZero();
                assertThat(stats.blocksStored()).isEqualTo(8);
                assertThat(stats.engineBlocks()).isEqualTo(8);
                assertThat(stats.lastSeq()).isEqualTo(3);
                assertThat(s.gapsReplayed()).isEqualTo(1);
                assertThat(s.messagesReplayed()).isEqualTo(2);
                assertThat(s.replayFailures()).isZero();
            }
        }
    }

    @Test
    void successiveGapsAreFilledOverOneConnectionThoughEachReplyRunsPastTheGap() throws Exception {
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket router = zmq.createSocket(SocketType.ROUTER);
            router.bind("tcp://127.0.0.1:*");
            // the buffer holds 0..9: each answer carries messages beyond the gap, then the end marker
            Thread server = replayServer(router, 0, 9, false, 2);
            KvEventSubscriber s = replaying(zmq, router, index);
            deliver(s, 0);
            deliver(s, 3); // 1, 2 replayed; 3..9 and the end marker follow on the same socket
            deliver(s, 4);
            deliver(s, 7); // 5, 6 replayed: the first reply's tail must not be taken for this one
            server.join(5_000);
            assertThat(server.isAlive()).as("both requests reached the server").isFalse();
            assertThat(s.gapsReplayed()).isEqualTo(2);
            assertThat(s.messagesReplayed()).isEqualTo(4);
            assertThat(s.replayFailures()).isZero();
            assertThat(stats().sequenceGaps()).isZero();
            assertThat(stats().engineBlocks()).isEqualTo(16);
            s.close();
        }
    }

    @Test
    void aStartedSubscriberConnectsToTheReplaySocketBeforeAnyGap() {
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket router = zmq.createSocket(SocketType.ROUTER);
            router.bind("tcp://127.0.0.1:*");
            router.monitor("inproc://replay-monitor", ZMQ.EVENT_ACCEPTED);
            ZMQ.Socket monitor = zmq.createSocket(SocketType.PAIR);
            monitor.connect("inproc://replay-monitor");
            monitor.setReceiveTimeOut(5_000);
            KvEventSubscriber s = replaying(zmq, router, index).start();
            // a fresh connect can stall its handshake for seconds: it must not wait for the gap that needs it
            ZMQ.Event accepted = ZMQ.Event.recv(monitor);
            assertThat(accepted).as("replay connection accepted").isNotNull();
            assertThat(accepted.getEvent()).isEqualTo(ZMQ.EVENT_ACCEPTED);
            s.close();
        }
    }

    @Test
    void aGapOlderThanTheReplayBufferDropsTheEndpointsEntriesAsWithoutReplay() throws Exception {
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket router = zmq.createSocket(SocketType.ROUTER);
            router.bind("tcp://127.0.0.1:*");
            Thread server = replayServer(router, 2, 3, false, 1); // seq 1 already left the buffer
            KvEventSubscriber s = replaying(zmq, router, index);
            deliver(s, 0);
            deliver(s, 3);
            server.join(5_000);
            assertThat(s.replayFailures()).isEqualTo(1);
            assertThat(s.gapsReplayed()).isZero();
            assertThat(stats().sequenceGaps()).isEqualTo(1);
            assertThat(stats().engineBlocks()).as("only what followed the gap").isEqualTo(2);
        }
    }

    @Test
    void aReplaySocketThatDoesNotAnswerCostsOneTimeoutThenTheGapRebuilds() {
        try (ZContext zmq = new ZContext(1)) {
            ZMQ.Socket silent = zmq.createSocket(SocketType.ROUTER); // bound, never reads
            silent.bind("tcp://127.0.0.1:*");
            KvEventSubscriber s = replaying(zmq, silent, index);
            deliver(s, 0);
            long start = System.nanoTime();
            deliver(s, 2);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(KvEventSubscriber.REPLAY_TIMEOUT.plusSeconds(2));
            assertThat(s.replayFailures()).isEqualTo(1);
            assertThat(stats().sequenceGaps()).isEqualTo(1);
            deliver(s, 3);
            assertThat(s.replayFailures()).as("consecutive messages need no replay").isEqualTo(1);
        }
    }
}
