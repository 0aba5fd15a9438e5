package dev.jetway.gateway.http;

import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.security.ServerTls;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One client connection on the OpenAI port. In cleartext it starts as HTTP/1.1 and becomes HTTP/2 (h2c) either at
 * once, when the client opens with the HTTP/2 connection preface (prior knowledge), or after an {@code Upgrade: h2c}
 * request, which is then answered as the connection's stream 1. With {@code server.tls} the connection shakes hands
 * first (the current certificate: {@link ServerTls}) and ALPN picks HTTP/2 or HTTP/1.1 ({@link TlsProtocols}). Every
 * protocol ends in the same {@link ClientHandler}: HTTP/2 streams are adapted to HTTP/1-style messages per stream (see
 * {@link Http2Connection}).
 */
final class ApiChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String HTTP1_AGGREGATOR = "http1-aggregator";
    static final String HTTP1_HANDLER = "http1-handler";

    private final RequestPath path;
    private final Duration clientIdleTimeout;
    private final ServerTls tls;

    /** @param tls TLS on this port, or null for cleartext */
    ApiChannelInitializer(RequestPath path, Duration clientIdleTimeout, ServerTls tls) {
        this.path = path;
        this.clientIdleTimeout = clientIdleTimeout;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.config().setWriteBufferWaterMark(GatewayServer.CLIENT_WATER_MARK);
        if (tls != null) {
            ChannelPipeline p = ch.pipeline();
            p.addLast(new IdleStateHandler(clientIdleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            p.addLast(tls.context().newHandler(ch.alloc()));
            p.addLast(new TlsProtocols(path));
            return;
        }
        HttpServerCodec http1 = new HttpServerCodec(4096, 65536, 65536);
        OpenAiUpgradeHandler upgrade = new OpenAiUpgradeHandler(http1, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(Http2Connection.newFrameCodec(), new Http2Connection(path))
                        : null, path.context().maxBodyBytes());
        ChannelPipeline p = ch.pipeline();
        p.addLast(new IdleStateHandler(clientIdleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, new Http2Connection.PriorKnowledge(path)));
        p.addLast(HTTP1_AGGREGATOR, new BodyLimitAggregator(path.context().maxBodyBytes(), path.context().audit()));
        p.addLast(HTTP1_HANDLER, new ClientHandler(path, false));
    }
}
