package dev.jetway.sim.load;

import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.sim.kvevents.ZmqKvEventPublisher;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Connects fresh JeroMQ SUB sockets to one idle sim KV-event publisher, again and again, and counts the connects
 * whose ZMTP handshake took more than a second. On a busy host about 2 % of them stall: the SUB's side gets no
 * socket events at all (it does not even see the publisher close), until its handshake timer drops the connection
 * and it reconnects. This was the cause of the intermittent {@code KvEventsAndMetricsTest} failure. Not a unit test;
 * run by hand (class path as for {@link SimLoadDriver}):
 * <pre>
 * java -cp ... dev.jetway.sim.load.ZmqHandshakeProbe [rounds=300] [handshakeIvlMs=3000]
 * </pre>
 */
public final class ZmqHandshakeProbe {

    private ZmqHandshakeProbe() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0].substring(args[0].indexOf('=') + 1)) : 300;
        int handshakeIvl = args.length > 1 ? Integer.parseInt(args[1].substring(args[1].indexOf('=') + 1)) : 3000;
        try (ZmqKvEventPublisher publisher = new ZmqKvEventPublisher("tcp://127.0.0.1:0",
                KvTopic.of("127.0.0.1:1", "probe"))) {
            String endpoint = "tcp://127.0.0.1:" + publisher.port();
            int stalled = 0;
            long slowest = 0;
            for (int round = 0; round < rounds; round++) {
                long took = connectAndHandshake(endpoint, handshakeIvl);
                slowest = Math.max(slowest, took);
                if (took > TimeUnit.SECONDS.toNanos(1)) {
                    stalled++;
                    System.out.printf(Locale.ROOT, "round %d: handshake after %.0f ms%n", round, took / 1e6);
                }
            }
            System.out.printf(Locale.ROOT, "%d connects, %d took more than 1 s, slowest %.0f ms (SUB handshake "
                    + "interval %d ms)%n", rounds, stalled, slowest / 1e6, handshakeIvl);
        }
    }

    /** Nanoseconds from connect to the SUB's "handshake done" event (at most 60 s). */
    private static long connectAndHandshake(String endpoint, int handshakeIvl) {
        long start = System.nanoTime();
        try (ZContext context = new ZContext(); ZMQ.Socket sub = context.createSocket(SocketType.SUB);
             ZMonitor monitor = new ZMonitor(context, sub)) {
            monitor.add(ZMonitor.Event.HANDSHAKE_PROTOCOL);
            monitor.start();
            sub.setHandshakeIvl(handshakeIvl);
            sub.subscribe("kv@".getBytes());
            sub.connect(endpoint);
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                ZMonitor.ZEvent event = monitor.nextEvent(500);
                if (event != null && event.type == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
                    break;
                }
            }
        }
        return System.nanoTime() - start;
    }
}
