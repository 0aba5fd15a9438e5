package dev.jetway.gateway.kvevents;

import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.MalformedKvEventException;
import dev.jetway.kvcache.index.precise.IntakeResult;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Reads one model server's KV events: a ZMQ SUB socket connected to its publisher ({@code tcp://host:port}, vLLM's
 * {@code --kv-events-config} endpoint), filtered on the topic prefix, on its own thread, so the index sees each
 * endpoint's messages from a single writer, in order. Messages of three frames {@code [topic, seq, payload]} go to
 * {@link PrecisePrefixIndex#onMessage}, which tracks sequence gaps and publisher restarts; anything else is counted
 * as malformed and skipped. ZMQ reconnects by itself when the publisher restarts.
 *
 * <p>With a replay socket configured, a jump in the sequence (messages lost, e.g. dropped at a high-water mark) is
 * first filled from the publisher's replay buffer ({@link KvEventReplay}), so the index never sees the gap; only if
 * the publisher no longer has every missed message does the index drop the endpoint's entries and rebuild.
 */
final class KvEventSubscriber implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventSubscriber.class);
    /** How long a receive waits, so that {@link #close()} is noticed promptly. */
    private static final int RECEIVE_TIMEOUT_MILLIS = 100;
    private static final int RECEIVE_HWM = 100_000;
    /** How often the receive loop asks the index whether this endpoint has gone silent. */
    private static final long SILENCE_CHECK_NANOS = 1_000_000_000L;
    /** How long a gap may wait for the publisher's replay before the index drops the endpoint's entries instead. */
    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(1);

    private final ZContext context;
    private final ConnectionLiveness liveness;
    private final String publisher;
    private final KvEventReplay replay;
    private final String endpoint;
    private final String model;
    private final String topicFilter;
    private final PrecisePrefixIndex index;
    private final AtomicLong malformedFrames = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong gapsReplayed = new AtomicLong();
    private final AtomicLong messagesReplayed = new AtomicLong();
    private final AtomicLong replayFailures = new AtomicLong();
    private final AtomicLong resubscribes = new AtomicLong();
    /** Last sequence number handed to the index (subscriber thread only); -1 before any. */
    private long lastSeq = -1;
    private volatile boolean closed;
    private volatile int endpointId = -1;
    private Thread thread;

    /**
     * @param publisher   where the model server publishes, {@code tcp://host:port}
     * @param replay      the publisher's replay socket, {@code tcp://host:port}, or null
     * @param endpoint    the endpoint's name in the index (its {@code host:port} address, as the scheduler sees it)
     * @param model       model that roots the endpoint's keys, or null to take it from the first topic
     * @param topicFilter subscription prefix ({@code kv@})
     */
    KvEventSubscriber(ZContext context, String publisher, String replay, String endpoint, String model,
                      String topicFilter, PrecisePrefixIndex index) {
        this(context, publisher, replay, endpoint, model, topicFilter, index, ConnectionLiveness.DEFAULT);
    }

    /** As above, with the given connection timers (tests shorten them). */
    KvEventSubscriber(ZContext context, String publisher, String replay, String endpoint, String model,
                      String topicFilter, PrecisePrefixIndex index, ConnectionLiveness liveness) {
        this.liveness = liveness;
        this.context = context;
        this.publisher = publisher;
        this.replay = replay == null ? null : new KvEventReplay(context, replay, liveness);
        this.endpoint = endpoint;
        this.model = model;
        this.topicFilter = topicFilter;
        this.index = index;
        if (model != null) {
            endpointId = index.addEndpoint(endpoint, model);
        }
    }

    KvEventSubscriber start() {
        thread = Thread.ofPlatform().daemon(true).name("jetway-kv-events-" + endpoint).start(this::run);
        return this;
    }

    String publisher() {
        return publisher;
    }

    String endpoint() {
        return endpoint;
    }

    /** Sequence gaps filled from the publisher's replay socket. */
    long gapsReplayed() {
        return gapsReplayed.get();
    }

    /** Messages fetched from the replay socket to fill gaps. */
    long messagesReplayed() {
        return messagesReplayed.get();
    }

    /** Gaps the replay socket could not fill (too old for its buffer, no answer in time, or malformed). */
    long replayFailures() {
        return replayFailures.get();
    }

    /** Times the subscriber dropped its connection and dialled the publisher again because it heard nothing. */
    long resubscribes() {
        return resubscribes.get();
    }

    /** Messages received (well-formed or not). */
    long received() {
        return received.get();
    }

    /** Messages that were not three frames with a valid topic and sequence (payload errors count in the index). */
    long malformedFrames() {
        return malformedFrames.get();
    }

    private void run() {
        ZMQ.Socket socket = subscribe();
        if (socket == null) {
            return;
        }
        log.info("kv events of {}: subscribed to {} (topic filter '{}')", endpoint, publisher, topicFilter);
        if (replay != null) {
            try {
                replay.connect(); // now, so that the handshake is long done when a gap needs it
            } catch (RuntimeException e) {
                log.warn("kv events of {}: cannot connect to replay socket {}: {}", endpoint, replay.endpoint(),
                        e.toString());
            }
        }
        List<byte[]> frames = new ArrayList<>(3);
        long lastSilenceCheck = System.nanoTime();
        long lastResubscribe = Long.MIN_VALUE;
        try {
            // a closed context (a shutdown closing it first) does not always make recv fail: look at it too
            while (!closed && !context.isClosed()) {
                long now = System.nanoTime();
                if (now - lastSilenceCheck >= SILENCE_CHECK_NANOS) {
                    lastSilenceCheck = now;
                    if (silent() && (lastResubscribe == Long.MIN_VALUE
                            || now - lastResubscribe >= liveness.resubscribeBackoffNanos())) {
                        lastResubscribe = now;
                        socket = resubscribe(socket);
                        if (socket == null) {
                            return;
                        }
                    }
                }
                byte[] first;
                try {
                    first = socket.recv(0);
                } catch (RuntimeException e) {
                    if (closed || e instanceof ZMQException z && z.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                        break; // closed, or the whole context is going away: no receive will ever succeed again
                    }
                    log.warn("kv events of {}: receive failed: {}", endpoint, e.toString());
                    continue;
                }
                if (first == null) {
                    continue; // timeout: look at the closed flag again
                }
                frames.clear();
                frames.add(first);
                while (socket.hasReceiveMore()) {
                    frames.add(socket.recv(0));
                }
                handle(frames);
            }
        } finally {
            try {
                if (socket != null) { // null: a resubscribe could not make a new socket
                    socket.close();
                }
                if (replay != null) {
                    replay.close();
                }
            } catch (RuntimeException e) {
                log.debug("kv events of {}: sockets already closed with their context", endpoint, e);
            }
        }
    }

    /** A SUB socket connected to the publisher, or null (logged) if it cannot be made. */
    private ZMQ.Socket subscribe() {
        ZMQ.Socket socket = null;
        try {
            socket = context.createSocket(SocketType.SUB);
            socket.setLinger(0);
            socket.setRcvHWM(RECEIVE_HWM);
            socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
            // a stalled handshake or an idle connection dropped on the way would leave this endpoint's index blind
            liveness.applyTo(socket);
            socket.subscribe(topicFilter.getBytes(StandardCharsets.UTF_8));
            socket.connect(publisher);
            return socket;
        } catch (RuntimeException e) {
            log.error("kv events of {}: cannot subscribe to {}: {}", endpoint, publisher, e.toString());
            if (socket != null) {
                socket.close();
            }
            return null;
        }
    }

    /**
     * Whether the index counts this endpoint silent: requests with new blocks keep being routed here and not one
     * message came back. The connection may be dead without ZMQ knowing (a peer gone without a reset; JeroMQ's own
     * heartbeat timeout cannot be relied on to notice, docs/precise-routing.md).
     */
    private boolean silent() {
        int id = endpointId;
        if (id < 0) {
            return false;
        }
        try {
            return index.endpointStats(id).silent();
        } catch (RuntimeException e) {
            return false; // removed from the index meanwhile: this subscriber is being closed
        }
    }

    /** Drops the SUB socket (and the replay connection) and dials the publisher afresh. */
    private ZMQ.Socket resubscribe(ZMQ.Socket old) {
        old.close();
        resubscribes.incrementAndGet();
        log.warn("kv events of {}: requests routed here get no KV events back from {}; dialling it again", endpoint,
                publisher);
        if (replay != null) {
            replay.close();
            try {
                replay.connect();
            } catch (RuntimeException e) {
                // the next gap's fetch connects again
            }
        }
        return subscribe();
    }

    /** One received multipart message; never throws. */
    void handle(List<byte[]> frames) {
        received.incrementAndGet();
        KvEventMessage message;
        try {
            if (frames.size() != 3) {
                throw new MalformedKvEventException("expected 3 frames [topic, seq, payload], got " + frames.size());
            }
            message = KvEventMessage.fromFrames(frames.get(0), frames.get(1), frames.get(2));
        } catch (RuntimeException e) {
            malformed(e);
            return;
        }
        int id = endpointId;
        if (id < 0) {
            try {
                id = index.addEndpoint(endpoint, message.topic().model());
                endpointId = id;
            } catch (RuntimeException e) {
                malformed(e);
                return;
            }
        }
        try {
            if (replay != null && lastSeq >= 0 && Long.compareUnsigned(message.seq(), lastSeq + 1) > 0) {
                fillGap(id, lastSeq + 1, message.seq());
            }
            IntakeResult result = index.onMessage(id, message.seq(), message.payload());
            lastSeq = message.seq();
            if (result == IntakeResult.UNKNOWN_ENDPOINT) {
                log.debug("kv events of {}: endpoint no longer indexed, message dropped", endpoint);
            }
        } catch (RuntimeException e) {
            // the index promises not to throw for bad input; a bug there must still not end this loop
            malformed(e);
        }
    }

    /**
     * Applies the missed messages {@code from .. to - 1} from the replay socket, if it still has all of them; else
     * applies none, and the index treats the next message as the gap it is.
     */
    private void fillGap(int id, long from, long to) {
        var missed = replay.fetch(from, to, REPLAY_TIMEOUT);
        if (missed.isEmpty()) {
            replayFailures.incrementAndGet();
            log.warn("kv events of {}: sequence gap {} -> {} could not be replayed from {} (no longer buffered, or "
                    + "no answer in time); dropping its entries and rebuilding", endpoint, from - 1, to,
                    replay.endpoint());
            return;
        }
        for (KvEventReplay.Replayed m : missed.get()) {
            index.onMessage(id, m.seq(), m.payload());
            lastSeq = m.seq();
        }
        gapsReplayed.incrementAndGet();
        messagesReplayed.addAndGet(missed.get().size());
        log.info("kv events of {}: filled sequence gap {} -> {} with {} messages from {}", endpoint, from - 1, to,
                missed.get().size(), replay.endpoint());
    }

    private void malformed(RuntimeException e) {
        long n = malformedFrames.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th...: visible without flooding the log
            log.warn("kv events of {}: skipped malformed message #{}: {}", endpoint, n, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (replay != null) {
            replay.close(); // never started: whoever called handle() used it on their own thread
        }
        int id = endpointId;
        if (id >= 0) {
            index.removeEndpoint(id);
        }
    }
}
