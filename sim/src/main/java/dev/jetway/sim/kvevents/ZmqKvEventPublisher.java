package dev.jetway.sim.kvevents;

import dev.jetway.engine.KvEventSink;
import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventEncoder;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.KvTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a replica's KV events like vLLM's ZMQ publisher: a PUB socket that binds, messages of three frames
 * (topic {@code kv@<host>:<port>@<model>}, 8-byte big-endian sequence number, msgpack {@code EventBatch}), a batch
 * sent when {@value #BATCH_EVENTS} events are waiting or one second after its first event, whichever comes first.
 *
 * <p>The engine thread only offers events to a bounded queue, so publishing never blocks it; when the queue is
 * full (a stuck publisher) events are dropped, counted and logged rather than stalling the model.
 *
 * <p>With a replay endpoint it also keeps the last {@code bufferSteps} messages and serves them on a ROUTER socket,
 * as vLLM does with {@code "replay_endpoint"} in {@code --kv-events-config}, so a subscriber that sees a sequence gap
 * can fetch what it missed (see {@link ReplaySocket} for the protocol).
 */
public final class ZmqKvEventPublisher implements KvEventSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZmqKvEventPublisher.class);
    static final int BATCH_EVENTS = 16;
    static final long FLUSH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Longest wait for an event, so that {@link #close()} is noticed promptly. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** vLLM's default {@code buffer_steps}. */
    public static final int DEFAULT_REPLAY_BUFFER_STEPS = 10_000;
    private static final int QUEUE_CAPACITY = 100_000;

    private final ArrayBlockingQueue<KvEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ZContext context;
    private final ZMQ.Socket socket;
    private final byte[] topic;
    private final String boundEndpoint;
    private final Thread thread;
    private final ReplaySocket replay;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger withheld = new AtomicInteger();
    private volatile boolean stopping;
    private long sequence;

    /**
     * A publisher without replay. Binds at once (so a taken port fails the start, and the bound port is known) and
     * starts the sending thread.
     *
     * @param bindEndpoint e.g. {@code tcp://*:5557}; port 0 or {@code *} picks a free port
     */
    public ZmqKvEventPublisher(String bindEndpoint, KvTopic topic) {
        this(bindEndpoint, topic, null, DEFAULT_REPLAY_BUFFER_STEPS);
    }

    /**
     * As {@link #ZmqKvEventPublisher(String, KvTopic, String, int)} with vLLM's default buffer of
     * {@value #DEFAULT_REPLAY_BUFFER_STEPS} messages.
     */
    public ZmqKvEventPublisher(String bindEndpoint, KvTopic topic, String replayEndpoint) {
        this(bindEndpoint, topic, replayEndpoint, DEFAULT_REPLAY_BUFFER_STEPS);
    }

    /**
     * Binds both sockets at once (so a taken port fails the start) and starts the sending thread.
     *
     * @param bindEndpoint   PUB endpoint, e.g. {@code tcp://*:5557}; port 0 or {@code *} picks a free port
     * @param replayEndpoint ROUTER endpoint of the replay service, e.g. {@code tcp://*:5558}; port 0 or {@code *}
     *                       picks a free port; null = no replay (and no buffer)
     * @param bufferSteps    messages kept for replay, at least 1 (vLLM's {@code buffer_steps})
     */
    public ZmqKvEventPublisher(String bindEndpoint, KvTopic topic, String replayEndpoint, int bufferSteps) {
        if (bufferSteps < 1) {
            throw new IllegalArgumentException("bufferSteps must be at least 1: " + bufferSteps);
        }
        this.topic = topic.toString().getBytes(StandardCharsets.UTF_8);
        this.context = ZmqContexts.create(1);
        try {
            this.socket = context.createSocket(SocketType.PUB);
            socket.setLinger(0);
            socket.setSndHWM(QUEUE_CAPACITY);
            socket.bind(ephemeralAsWildcard(bindEndpoint));
            this.boundEndpoint = socket.getLastEndpoint();
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalStateException("cannot bind the KV-event publisher to " + bindEndpoint + ": "
                    + bindFailure(e), e);
        }
        try {
            this.replay = replayEndpoint == null ? null
                    : new ReplaySocket(context, ephemeralAsWildcard(replayEndpoint), bufferSteps);
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalStateException("cannot bind the KV-event replay socket to " + replayEndpoint + ": "
                    + bindFailure(e), e);
        }
        this.thread = Thread.ofPlatform().name("sim-kv-events-" + port(boundEndpoint)).daemon(true)
                .start(this::run);
    }

    /** Why a bind failed, in words: JeroMQ says only "Errno 48" for a port that is taken. */
    static String bindFailure(RuntimeException e) {
        if (e instanceof ZMQException z && z.getErrorCode() == ZError.EADDRINUSE) {
            return "the port is already in use";
        }
        return e.getMessage();
    }

    /** The endpoint actually bound, e.g. {@code tcp://0.0.0.0:5557}. */
    public String boundEndpoint() {
        return boundEndpoint;
    }

    /** The TCP port actually bound. */
    public int port() {
        return port(boundEndpoint);
    }

    /** The replay endpoint actually bound, e.g. {@code tcp://0.0.0.0:5558}; null without replay. */
    public String replayEndpoint() {
        return replay == null ? null : replay.boundEndpoint();
    }

    /** The replay TCP port actually bound, or -1 without replay. */
    public int replayPort() {
        return replay == null ? -1 : port(replay.boundEndpoint());
    }

    /**
     * Fault hook: the next {@code messages} batches get their sequence numbers and go into the replay buffer as
     * usual, but are not sent on the PUB socket, so subscribers see a real sequence gap (e.g. 0 then 3) that a
     * replay can fill. Calls add up. Without replay the withheld batches are simply lost, as on a lossy link.
     */
    public void withholdNext(int messages) {
        if (messages < 0) {
            throw new IllegalArgumentException("messages must be >= 0: " + messages);
        }
        withheld.addAndGet(messages);
    }

    public long droppedEvents() {
        return dropped.get();
    }

    @Override
    public void accept(KvEvent event, long timeNanos) {
        if (!queue.offer(event) && dropped.getAndIncrement() % 10_000 == 0) {
            log.warn("KV-event queue full on {}; dropping events ({} so far)", boundEndpoint, dropped.get());
        }
    }

    private void run() {
        List<KvEvent> batch = new ArrayList<>(BATCH_EVENTS);
        long flushAt = Long.MAX_VALUE;
        try {
            while (!stopping || !queue.isEmpty()) {
                long wait = batch.isEmpty() ? MAX_WAIT_NANOS
                        : Math.min(MAX_WAIT_NANOS, Math.max(0, flushAt - System.nanoTime()));
                KvEvent event = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (event != null) {
                    if (batch.isEmpty()) {
                        flushAt = System.nanoTime() + FLUSH_INTERVAL_NANOS;
                    }
                    batch.add(event);
                    queue.drainTo(batch, BATCH_EVENTS - batch.size());
                }
                if (batch.size() >= BATCH_EVENTS || (!batch.isEmpty() && System.nanoTime() >= flushAt)) {
                    send(batch);
                    batch.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("KV-event publisher on {} stopped", boundEndpoint, e);
        } finally {
            if (!batch.isEmpty()) {
                sendQuietly(batch);
            }
            if (replay != null) {
                replay.close();
            }
            context.close();
        }
    }

    private void send(List<KvEvent> batch) {
        byte[] payload = KvEventEncoder.encode(
                new KvEventBatch(System.currentTimeMillis() / 1000.0, List.copyOf(batch), 0));
        long seqNumber = sequence++;
        if (replay != null) {
            replay.record(seqNumber, payload);
        }
        if (withheld.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
        }
        byte[] seq = KvEventMessage.encodeSeq(seqNumber);
        // PUB never blocks: at the high-water mark ZMQ drops for slow subscribers, like vLLM.
        socket.sendMore(topic);
        socket.sendMore(seq);
        socket.send(payload, ZMQ.DONTWAIT);
    }

    private void sendQuietly(List<KvEvent> batch) {
        try {
            send(batch);
        } catch (RuntimeException e) {
            log.debug("final KV-event batch not sent", e);
        }
    }

    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ephemeralAsWildcard(String endpoint) {
        return endpoint.endsWith(":0") ? endpoint.substring(0, endpoint.length() - 1) + "*" : endpoint;
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /** The bind endpoint of replica {@code index}: the base port plus the index (0 and {@code *} stay as they are). */
    public static String forReplica(String baseEndpoint, int index) {
        int colon = baseEndpoint.lastIndexOf(':');
        String portText = baseEndpoint.substring(colon + 1);
        if (colon < 0 || portText.equals("*") || portText.equals("0")) {
            return baseEndpoint;
        }
        try {
            return baseEndpoint.substring(0, colon + 1) + (Integer.parseInt(portText) + index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("KV-event endpoint needs a numeric port: " + baseEndpoint, e);
        }
    }
}
