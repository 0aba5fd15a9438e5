package dev.jetway.gateway.upstream;

import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.security.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;

/**
 * Keep-alive connections to one endpoint (over TLS when its pool has {@code tls}), owned by one event loop: the client connection and its upstream connection
 * share a thread, so relaying needs no locks and no hand-offs. Bounded in open and in idle connections.
 */
public final class UpstreamPool {

    private final HostPort address;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxOpen;
    private final int maxIdle;
    private final long idleTtlNanos;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    private final UpstreamTls tls;

    UpstreamPool(HostPort address, EventLoop loop, Class<? extends SocketChannel> channelType, int connectTimeoutMillis,
                 int maxOpen, int maxIdle, long idleTtlNanos, UpstreamTls tls) {
        this.address = address;
        this.tls = tls;
        this.idleTtlNanos = idleTtlNanos;
        this.loop = loop;
        this.maxOpen = maxOpen;
        this.maxIdle = maxIdle;
        UpstreamPool self = this;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), address.host(), address.port()));
                        }
                        // generous header limits: model servers add few headers, but a proxy must not choke on them
                        ch.pipeline().addLast(new HttpClientCodec(4096, 65536, 65536));
                        ch.pipeline().addLast(new UpstreamConnection(self));
                    }
                });
    }

    public HostPort address() {
        return address;
    }

    /** An idle connection if one is alive, else a new one; must be called on this pool's event loop. */
    public Future<UpstreamConnection> acquire() {
        Promise<UpstreamConnection> promise = loop.newPromise();
        UpstreamConnection c;
        long now = System.nanoTime();
        while ((c = idle.pollFirst()) != null) {
            if (!c.channel().isActive()) {
                continue;
            }
            if (now - c.idleSinceNanos() > idleTtlNanos) {
                // servers drop idle keep-alive connections (uvicorn after 5 s): do not race them for this one
                c.channel().close();
                continue;
            }
            return promise.setSuccess(c);
        }
        if (closed) {
            return promise.setFailure(new IllegalStateException("pool for " + address + " is closed"));
        }
        if (open >= maxOpen) {
            return promise.setFailure(new PoolExhaustedException(address.toString(), maxOpen));
        }
        open++;
        ChannelFuture connect = bootstrap.connect(address.host(), address.port());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                SslHandler ssl = connect.channel().pipeline().get(SslHandler.class);
                if (ssl == null) {
                    promise.setSuccess(connect.channel().pipeline().get(UpstreamConnection.class));
                    return;
                }
                // a TLS connection is usable once its handshake is done; a failed one closes (and is forgotten)
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        promise.setSuccess(connect.channel().pipeline().get(UpstreamConnection.class));
                    } else {
                        connect.channel().close();
                        promise.setFailure(h.cause());
                    }
                });
            } else {
                open--;
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    void release(UpstreamConnection c) {
        if (!closed && c.reusable() && idle.size() < maxIdle) {
            // most recently used first: warm connections stay warm, extra ones age out via the server's idle timeout
            idle.addFirst(c);
        } else {
            c.channel().close();
        }
    }

    /** The connection closed; it no longer counts. */
    void forget(UpstreamConnection c) {
        idle.remove(c);
        open--;
    }

    public int openConnections() {
        return open;
    }

    public int idleConnections() {
        return idle.size();
    }

    /** Closes idle connections and refuses new ones; busy ones close when their requests end. */
    void close() {
        closed = true;
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            c.channel().close();
        }
    }
}
