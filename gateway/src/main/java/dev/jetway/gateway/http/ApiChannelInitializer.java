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
    /** The longest request line (method, target, version) taken; a longer one gets 414. */
    static final int MAX_INITIAL_LINE = 4096;

    private final RequestPath path;
    private final Duration clientIdleTimeout;
    private final ServerTls tls;
    private final Duration headerReadTimeout;
    private final ConnectionBudget budget;

    /** @param tls TLS on this port, or null for cleartext */
    ApiChannelInitializer(RequestPath path, Duration clientIdleTimeout, ServerTls tls, Duration headerReadTimeout,
                          ConnectionBudget budget) {
        this.path = path;
        this.clientIdleTimeout = clientIdleTimeout;
        this.tls = tls;
        this.headerReadTimeout = headerReadTimeout;
        this.budget = budget;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.config().setWriteBufferWaterMark(GatewayServer.CLIENT_WATER_MARK);
        HeadReadDeadline headDeadline = new HeadReadDeadline(headerReadTimeout, path.context().metrics());
        if (tls != null) {
            ChannelPipeline p = ch.pipeline();
            p.addLast(budget);
            // the clock runs from the connection's start: a handshake trickled byte by byte counts too
            p.addLast(HeadReadDeadline.BYTES_NAME, headDeadline.bytes());
            p.addLast(new IdleStateHandler(clientIdleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            p.addLast(tls.context().newHandler(ch.alloc()));
            p.addLast(new TlsProtocols(path, headDeadline));
            return;
        }
        int maxHeaderBytes = path.context().maxHeaderBytes();
        HttpServerCodec http1 = new HttpServerCodec(MAX_INITIAL_LINE, maxHeaderBytes, 65536);
        OpenAiUpgradeHandler upgrade = new OpenAiUpgradeHandler(http1, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(Http2Connection.newFrameCodec(maxHeaderBytes),
                        new Http2Connection(path))
                        : null, path.context().maxBodyBytes());
        ChannelPipeline p = ch.pipeline();
        p.addLast(budget);
        p.addLast(HeadReadDeadline.BYTES_NAME, headDeadline.bytes());
        p.addLast(new IdleStateHandler(clientIdleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, new Http2Connection.PriorKnowledge(path)));
        p.addLast(HeadReadDeadline.NAME, headDeadline);
        p.addLast(HTTP1_AGGREGATOR, new BodyLimitAggregator(path.context().maxBodyBytes(), path.context().audit()));
        p.addLast(HTTP1_HANDLER, new ClientHandler(path, false));
    }
}
