package dev.jetway.gateway.datalayer;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.index.precise.IntakeResult;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Feeds one endpoint's vLLM KV events (ZMQ PUB, frames {@code [topic, seq, msgpack batch]}) into the pool's
 * precise prefix index, on its own thread. The index tracks sequence numbers, so a lost message or a publisher
 * restart rebuilds that endpoint's entries instead of leaving them wrong; a malformed message is counted, never fatal.
 */
public final class KvEventSubscriber implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventSubscriber.class);
    private static final int POLL_MILLIS = 200;

    private final ZContext zmq;
    private final String url;
    private final PrecisePrefixIndex index;
    private final int endpointId;
    private final String endpointName;
    private final GatewayMetrics metrics;
    private final Thread thread;
    private volatile boolean running = true;

    public KvEventSubscriber(ZContext zmq, String url, PrecisePrefixIndex index, int endpointId, String endpointName,
                             GatewayMetrics metrics) {
        this.zmq = zmq;
        this.url = url;
        this.index = index;
        this.endpointId = endpointId;
        this.endpointName = endpointName;
        this.metrics = metrics;
        // JeroMQ blocks in its own selectors: a platform thread, one per endpoint that publishes events
        this.thread = Thread.ofPlatform().daemon().name("kv-events-" + endpointName).unstarted(this::loop);
    }

    public KvEventSubscriber start() {
        thread.start();
        return this;
    }

    private void loop() {
        ZMQ.Socket sub = zmq.createSocket(SocketType.SUB);
        try {
            sub.setReceiveTimeOut(POLL_MILLIS);
            sub.subscribe(new byte[0]);
            sub.connect(url);
            log.info("subscribed to KV events of {} at {}", endpointName, url);
            while (running && !Thread.currentThread().isInterrupted()) {
                byte[] topic = sub.recv();
                if (topic == null) {
                    continue;
                }
                byte[] seq = sub.hasReceiveMore() ? sub.recv() : null;
                byte[] payload = sub.hasReceiveMore() ? sub.recv() : null;
                while (sub.hasReceiveMore()) {
                    sub.recv();
                }
                if (seq == null || payload == null) {
                    metrics.kvEventMessage("malformed_frames");
                    continue;
                }
                KvEventMessage message;
                try {
                    message = KvEventMessage.fromFrames(topic, seq, payload);
                } catch (RuntimeException e) {
                    metrics.kvEventMessage("malformed_frames");
                    log.debug("bad KV-event frames from {}: {}", endpointName, e.getMessage());
                    continue;
                }
                IntakeResult result = index.onMessage(endpointId, message.seq(), message.payload());
                metrics.kvEventMessage(result.name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException e) {
            if (running) {
                log.warn("KV-event subscription of {} at {} stopped: {}", endpointName, url, e.toString());
            }
        } finally {
            zmq.destroySocket(sub);
        }
    }

    /** True when this subscriber already feeds {@code target} from {@code from}: nothing to change on reload. */
    public boolean feeds(PrecisePrefixIndex target, String from) {
        return index == target && url.equals(from) && running;
    }

    /** Drops the endpoint's entries from the index (it left the pool, or its publisher changed). */
    public void forget() {
        index.removeEndpoint(endpointId);
    }

    @Override
    public void close() {
        running = false;
    }
}
