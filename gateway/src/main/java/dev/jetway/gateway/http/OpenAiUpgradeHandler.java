package dev.jetway.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's upgrade handler collects the body of an {@code Upgrade: h2c} request before switching protocols; one over
 * the body limit gets the same OpenAI-shaped 413 as any other request instead of Netty's bare one.
 */
final class OpenAiUpgradeHandler extends HttpServerUpgradeHandler {

    private final int limit;

    OpenAiUpgradeHandler(HttpServerCodec codec, UpgradeCodecFactory factory, int limit) {
        super(codec, factory, limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Responses.error(ctx, OpenAiError.tooLarge(limit), HttpUtil.isKeepAlive(oversized)
                && !(oversized instanceof FullHttpMessage));
    }
}
