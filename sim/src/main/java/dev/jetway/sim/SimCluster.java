package dev.jetway.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.sim.loop.KvTransferRelay;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * N simulated vLLM replicas in one process, sharing one Netty event-loop group; each has its own engine thread,
 * HTTP port and KV-event port. The programmatic face of {@code jetway sim}, also used by {@code jetway up} and
 * {@code jetway demo}:
 * <pre>{@code
 * try (SimCluster cluster = SimCluster.start(SimOptions.defaults("m").withPort(0), 4)) {
 *     String url = cluster.replicas().getFirst().baseUrl();
 *     cluster.resetAll().join();   // every replica cold again
 * }
 * }</pre>
 */
public final class SimCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimCluster.class);

    private final EventLoopGroup group;
    private final List<SimReplica> replicas;

    private SimCluster(EventLoopGroup group, List<SimReplica> replicas) {
        this.group = group;
        this.replicas = List.copyOf(replicas);
    }

    /** Starts {@code count} replicas with the engine model of {@code options.profile()}. */
    public static SimCluster start(SimOptions options, int count) {
        return start(options, count, new ProfileEngineFactory());
    }

    /** Starts {@code count} replicas around engines built by {@code engines}. */
    public static SimCluster start(SimOptions options, int count, EngineFactory engines) {
        if (count < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + count);
        }
        return start(options, java.util.Collections.nCopies(count, options.role()), engines);
    }

    /**
     * Starts one replica per entry of {@code roles}, replica i with role i (e.g. a P/D pair: {@code [PREFILL,
     * DECODE]}); they share the process's KV-transfer relay, so a decode replica's pull frees its prefill replica's
     * pinned blocks at once.
     */
    public static SimCluster start(SimOptions options, List<SimRole> roles) {
        return start(options, roles, new ProfileEngineFactory());
    }

    private static SimCluster start(SimOptions options, List<SimRole> roles, EngineFactory engines) {
        int count = roles.size();
        if (count < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + count);
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("sim-http", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ObjectMapper json = new ObjectMapper();
        KvTransferRelay kvTransfers = new KvTransferRelay();
        List<SimReplica> started = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                SimReplica replica = SimReplica.start(options.withRole(roles.get(i)), i, engines, group,
                        channelType, json, kvTransfers);
                started.add(replica);
                log.info("sim replica {}{} serving {} at {} (KV events: {}; replay: {})", i,
                        roles.get(i) == SimRole.BOTH ? "" : " (" + roles.get(i).label() + ")", options.model(),
                        replica.baseUrl(),
                        replica.kvEventsEndpoint() == null ? "off"
                                : replica.kvEventsEndpoint() + " topic " + replica.kvEventsTopic(),
                        replica.kvEventsReplayEndpoint() == null ? "off" : replica.kvEventsReplayEndpoint());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            new SimCluster(group, started).close();
            throw new IllegalStateException("interrupted while starting replicas", e);
        } catch (RuntimeException e) {
            new SimCluster(group, started).close();
            throw e;
        }
        return new SimCluster(group, started);
    }

    public List<SimReplica> replicas() {
        return replicas;
    }

    /** Resets every replica (see {@link SimReplica#reset()}). */
    public CompletableFuture<Void> resetAll() {
        return CompletableFuture.allOf(replicas.stream().map(SimReplica::reset).toArray(CompletableFuture[]::new));
    }

    /** Stops accepting, aborts in-flight requests, closes connections and sockets. */
    @Override
    public void close() {
        for (SimReplica replica : replicas) {
            replica.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("sim stopped: {} replica(s) closed", replicas.size());
    }
}
