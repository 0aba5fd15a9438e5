package dev.jetway.gateway.http;

import dev.jetway.gateway.path.RequestPath;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a client connection into an HTTP/2 one once the frame codec is in place: every stream becomes a child
 * channel with its own HTTP/1-style pipeline ending in a {@link ClientHandler}, so routing, relaying, retries,
 * errors and limits are the same code for both protocols. Backpressure is per stream: a child channel turns
 * unwritable when its own response bytes pile up (its flow-control window is spent), which pauses only that
 * stream's upstream read.
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {

    /** Streams one client connection may have open at once (announced in SETTINGS; more get REFUSED_STREAM). */
    static final int MAX_CONCURRENT_STREAMS = 1000;
    /**
     * What a client may send on one stream before the gateway has read it. HTTP/2's default 64 KiB would make a
     * 220 KB prompt wait for several window updates; the body is aggregated up to the body limit anyway.
     */
    static final int STREAM_WINDOW = 1024 * 1024;
    /** The connection-wide window, so a few large uploads on one connection do not queue behind each other. */
    static final int CONNECTION_WINDOW = 8 * 1024 * 1024;

    private final RequestPath path;

    Http2Connection(RequestPath path) {
        this.path = path;
    }

    private final List<Channel> streams = new ArrayList<>();
    private final ChannelFutureListener streamClosed = f -> streams.remove(f.channel());

    static Http2FrameCodec newFrameCodec(int maxHeaderBytes) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(maxHeaderBytes))
                // closing (a drain) sends GOAWAY and waits for the open streams; the drain's deadline bounds it
                .gracefulShutdownTimeoutMillis(-1)
                .build();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        // the HTTP/1 handlers behind us would only ever see connection-level frames now
        if (p.get(ApiChannelInitializer.HTTP1_AGGREGATOR) != null) {
            p.remove(ApiChannelInitializer.HTTP1_AGGREGATOR);
        }
        if (p.get(ApiChannelInitializer.HTTP1_HANDLER) != null) {
            p.remove(ApiChannelInitializer.HTTP1_HANDLER);
        }
        if (p.get(HeadReadDeadline.NAME) != null) {
            p.remove(HeadReadDeadline.NAME); // and its companion; HTTP/2 frames are not request heads
        } else if (p.get(HeadReadDeadline.BYTES_NAME) != null) {
            p.remove(HeadReadDeadline.BYTES_NAME); // over TLS, ALPN chose HTTP/2 before any head was read
        }
        StreamInitializer streams = new StreamInitializer(path, this);
        // the second handler serves stream 1 of an upgraded connection, i.e. the request that asked for the upgrade
        p.addBefore(ctx.name(), null, new Http2MultiplexHandler(streams, streams));
        ctx.executor().execute(() -> ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE)));
    }

    /**
     * Silence only matters while no stream is open: a streaming response may run for minutes without client bytes.
     * A drain closes the connection gracefully (GOAWAY: no new streams, the open ones run on); at its deadline each
     * open stream is told to stop.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof DrainEvent.Start) {
            ctx.close();
            return;
        }
        if (evt instanceof DrainEvent.Deadline) {
            for (Channel stream : List.copyOf(streams)) {
                stream.pipeline().fireUserEventTriggered(evt);
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().numActiveStreams() == 0) {
                ctx.close(); // the frame codec says goodbye with a GOAWAY
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** The handler a connection that opened with the HTTP/2 preface gets in place of the HTTP/1 codec. */
    static final class PriorKnowledge extends ChannelInitializer<SocketChannel> {

        private final RequestPath path;

        PriorKnowledge(RequestPath path) {
            this.path = path;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(newFrameCodec(path.context().maxHeaderBytes()), new Http2Connection(path));
        }
    }

    /** One stream's pipeline: HTTP/2 frames in and out as HTTP/1-style messages, then the shared request handling. */
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {

        private final RequestPath path;
        private final Http2Connection connection;

        StreamInitializer(RequestPath path, Http2Connection connection) {
            this.path = path;
            this.connection = connection;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            // streams share their connection's event loop: the list needs no lock
            connection.streams.add(ch);
            ch.closeFuture().addListener(connection.streamClosed);
            ch.config().setWriteBufferWaterMark(GatewayServer.CLIENT_WATER_MARK);
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
            ch.pipeline().addLast(new BodyLimitAggregator(path.context().maxBodyBytes(), path.context().audit()));
            ch.pipeline().addLast(new ClientHandler(path, true));
        }
    }
}
