package dev.jetway.sim.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

import java.net.InetSocketAddress;

/** Binds one replica's HTTP/1.1 server on a shared event-loop group. */
public final class SimHttpServer {

    /** Largest request body accepted (prompts are bounded by max-model-len long before this). */
    private static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private SimHttpServer() {
    }

    /**
     * Binds without accepting yet: the caller finishes wiring the replica (it needs the bound port first), then
     * calls {@link #startAccepting(Channel, ServicesHolder, ReplicaServices)}.
     */
    public static Channel bind(EventLoopGroup group, Class<? extends ServerChannel> channelType, String host,
                               int port, ServicesHolder holder) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                                new HttpObjectAggregator(MAX_BODY_BYTES), new SimHttpHandler(holder.services));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            String why = bound.cause().getMessage();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                    + (why != null && why.contains("Address already in use") ? "the port is already in use" : why),
                    bound.cause());
        }
        return bound.channel();
    }

    public static int port(Channel serverChannel) {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Starts accepting connections served with {@code services}. */
    public static void startAccepting(Channel serverChannel, ServicesHolder holder, ReplicaServices services) {
        holder.services = services;
        serverChannel.config().setAutoRead(true);
    }

    /** Lets the server bind before its services exist (they need the bound port); set before accepting. */
    public static final class ServicesHolder {
        private volatile ReplicaServices services;
    }
}
