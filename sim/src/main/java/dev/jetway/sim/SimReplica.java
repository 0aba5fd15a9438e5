package dev.jetway.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.engine.Engine;
import dev.jetway.engine.KvEventSink;
import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.sim.fault.FaultInjector;
import dev.jetway.sim.http.DrainBatcher;
import dev.jetway.sim.http.ReplicaServices;
import dev.jetway.sim.http.SimHttpServer;
import dev.jetway.sim.kvevents.ZmqKvEventPublisher;
import dev.jetway.sim.loop.EngineLoop;
import dev.jetway.sim.loop.KvTransferRelay;
import dev.jetway.sim.loop.LoopClock;
import dev.jetway.sim.metrics.PrometheusText;
import dev.jetway.sim.metrics.SimMetrics;
import dev.jetway.sim.openai.ModelCatalog;
import dev.jetway.sim.openai.RequestParser;
import dev.jetway.sim.openai.ResponseJson;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One running simulated vLLM replica: HTTP server, engine thread, optional KV-event publisher. */
public final class SimReplica implements AutoCloseable {

    private final int index;
    private final String model;
    private final String advertiseHost;
    private final Channel serverChannel;
    private final EngineLoop loop;
    private final ZmqKvEventPublisher publisher;
    private final SimRole role;
    private volatile TimingListener timingListener;

    private SimReplica(int index, String model, String advertiseHost, Channel serverChannel, EngineLoop loop,
                       ZmqKvEventPublisher publisher, SimRole role) {
        this.index = index;
        this.model = model;
        this.advertiseHost = advertiseHost;
        this.serverChannel = serverChannel;
        this.loop = loop;
        this.publisher = publisher;
        this.role = role;
    }

    static SimReplica start(SimOptions options, int index, EngineFactory engines, EventLoopGroup group,
                            Class<? extends ServerChannel> channelType, ObjectMapper json,
                            KvTransferRelay kvTransfers)
            throws InterruptedException {
        int requestedPort = options.port() == 0 ? 0 : options.port() + index;
        SimHttpServer.ServicesHolder holder = new SimHttpServer.ServicesHolder();
        Channel channel = SimHttpServer.bind(group, channelType, options.bindHost(), requestedPort, holder);
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(() -> channel.close().syncUninterruptibly());
        try {
            int port = SimHttpServer.port(channel);
            ZmqKvEventPublisher publisher = null;
            KvEventSink sink = KvEventSink.NONE;
            if (options.kvEventsReplayEndpoint() != null && options.kvEventsEndpoint() == null) {
                throw new IllegalArgumentException("KV-event replay needs KV events (--kv-events) to be on");
            }
            if (options.kvEventsEndpoint() != null) {
                publisher = new ZmqKvEventPublisher(
                        ZmqKvEventPublisher.forReplica(options.kvEventsEndpoint(), index),
                        KvTopic.of(options.advertiseHost() + ":" + port, options.model()),
                        options.kvEventsReplayEndpoint() == null ? null
                                : ZmqKvEventPublisher.forReplica(options.kvEventsReplayEndpoint(), index));
                opened.add(publisher);
                ZmqKvEventPublisher target = publisher;
                sink = target::accept;
            }
            LoopClock clock = new LoopClock();
            Engine engine = engines.create(options,
                    new EngineFactory.ReplicaAddress(index, options.advertiseHost(), port), sink, clock);
            DrainBatcher drains = new DrainBatcher();
            EngineLoop loop = new EngineLoop(engine, clock, options.maxLoras(), "sim-engine-" + port, drains);
            opened.add(loop);
            SimReplica replica = new SimReplica(index, options.model(), options.advertiseHost(), channel, loop,
                    publisher, options.role());
            int maxModelLen = engines.maxModelLen(options);
            ModelCatalog catalog = new ModelCatalog(options.model(), options.loraModules(), maxModelLen,
                    System.currentTimeMillis() / 1000);
            ReplicaServices services = new ReplicaServices(loop,
                    new RequestParser(json, SimpleWordTokenizer.instance(), catalog),
                    new ResponseJson(json.getFactory().copy().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)),
                    catalog, new SimMetrics(), new PrometheusText(options.model(), options.maxLoras()),
                    new FaultInjector(options.failureRate(), List.copyOf(options.failureTypes()),
                            options.seed() + index),
                    options.stallAfterTokens(), options.advertiseHost(), port, () -> replica.timingListener, drains,
                    kvTransfers, options.role());
            kvTransfers.register(options.advertiseHost(), port, loop);
            loop.start();
            SimHttpServer.startAccepting(channel, holder, services);
            return replica;
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception suppressed) {
                // best effort while failing the start
            }
        }
    }

    /** The replica's P/D role ({@code jetway sim --role}). */
    public SimRole role() {
        return role;
    }

    public int index() {
        return index;
    }

    public String model() {
        return model;
    }

    public int httpPort() {
        return SimHttpServer.port(serverChannel);
    }

    /** Base URL of the OpenAI API, e.g. {@code http://127.0.0.1:8000}. */
    public String baseUrl() {
        return "http://" + advertiseHost + ":" + httpPort();
    }

    /** The bound KV-event port, or -1 without KV events. */
    public int kvEventsPort() {
        return publisher == null ? -1 : publisher.port();
    }

    /** Where subscribers connect, e.g. {@code tcp://127.0.0.1:5557}; null without KV events. */
    public String kvEventsEndpoint() {
        return publisher == null ? null : "tcp://" + advertiseHost + ":" + publisher.port();
    }

    /** Where replay clients connect (a DEALER or REQ), e.g. {@code tcp://127.0.0.1:5558}; null without replay. */
    public String kvEventsReplayEndpoint() {
        return publisher == null || publisher.replayPort() < 0 ? null
                : "tcp://" + advertiseHost + ":" + publisher.replayPort();
    }

    /**
     * Fault hook for exercising a subscriber's gap recovery: the next {@code messages} KV-event batches are buffered
     * for replay but not published. No effect without KV events.
     */
    public void withholdKvEvents(int messages) {
        if (publisher != null) {
            publisher.withholdNext(messages);
        }
    }

    /** The KV-event topic, {@code kv@<host>:<port>@<model>}. */
    public String kvEventsTopic() {
        return KvTopic.of(advertiseHost + ":" + httpPort(), model).toString();
    }

    /**
     * Makes the replica cold again: aborts what is in flight (their connections close), drops every cached block
     * and publishes {@code AllBlocksCleared}. Completes when the engine has reset.
     */
    public CompletableFuture<Void> reset() {
        return loop.reset();
    }

    /** Engine steps that started more than 50 ms behind their ideal time (the host was overloaded). */
    public long lateSteps() {
        return loop.snapshot().lateSteps();
    }

    /** Hears every request's first token (benchmarks); null removes the listener. */
    public void timingListener(TimingListener listener) {
        this.timingListener = listener;
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        loop.close();
        if (publisher != null) {
            publisher.close();
        }
    }
}
