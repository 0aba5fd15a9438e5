package dev.jetway.gateway.http;

import dev.jetway.gateway.path.RequestPath;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake of an API connection: the protocol ALPN agreed on gets its pipeline, HTTP/2 the same
 * per-stream one as h2c ({@link Http2Connection}), HTTP/1.1 (or a client without ALPN) the same as cleartext HTTP/1.1.
 * Over TLS there is no h2c upgrade: ALPN is how a client asks for HTTP/2.
 */
final class TlsProtocols extends ApplicationProtocolNegotiationHandler {

    private static final Logger log = LoggerFactory.getLogger(TlsProtocols.class);

    private final RequestPath path;
    private final HeadReadDeadline headDeadline;

    TlsProtocols(RequestPath path, HeadReadDeadline headDeadline) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.path = path;
        this.headDeadline = headDeadline;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        ChannelPipeline p = ctx.pipeline();
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            p.addLast(Http2Connection.newFrameCodec(path.context().maxHeaderBytes()), new Http2Connection(path));
            return;
        }
        p.addLast(new HttpServerCodec(ApiChannelInitializer.MAX_INITIAL_LINE, path.context().maxHeaderBytes(), 65536));
        p.addLast(HeadReadDeadline.NAME, headDeadline);
        p.addLast(ApiChannelInitializer.HTTP1_AGGREGATOR, new BodyLimitAggregator(path.context().maxBodyBytes(),
                path.context().audit()));
        p.addLast(ApiChannelInitializer.HTTP1_HANDLER, new ClientHandler(path, false));
    }

    /** A client that cannot or will not shake hands (no certificate, an untrusted one, plaintext): one debug line. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
