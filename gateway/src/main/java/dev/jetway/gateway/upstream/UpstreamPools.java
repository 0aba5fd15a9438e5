package dev.jetway.gateway.upstream;

import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.security.UpstreamTls;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

/** The pools of one endpoint: one per event loop that has sent it requests. */
public final class UpstreamPools {

    private final HostPort address;
    private final Class<? extends SocketChannel> channelType;
    private final UpstreamSettings settings;
    private final UpstreamTls tls;
    private final ConcurrentHashMap<EventLoop, UpstreamPool> byLoop = new ConcurrentHashMap<>();

    public UpstreamPools(HostPort address, Class<? extends SocketChannel> channelType, UpstreamSettings settings) {
        this(address, channelType, settings, null);
    }

    /** @param tls TLS to the endpoint (its pool's {@code tls}), or null for cleartext */
    public UpstreamPools(HostPort address, Class<? extends SocketChannel> channelType, UpstreamSettings settings,
                         UpstreamTls tls) {
        this.address = address;
        this.channelType = channelType;
        this.settings = settings;
        this.tls = tls;
    }

    public UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = byLoop.get(loop);
        if (pool == null) {
            pool = byLoop.computeIfAbsent(loop, l -> new UpstreamPool(address, l, channelType,
                    (int) settings.connectTimeout().toMillis(), settings.maxConnectionsPerEndpoint(),
                    settings.maxIdleConnectionsPerEndpoint(), settings.idleConnectionTtl().toNanos(), tls));
        }
        return pool;
    }

    /** Closes every pool, each on its own loop. */
    public void close() {
        byLoop.forEach((loop, pool) -> loop.execute(pool::close));
    }
}
