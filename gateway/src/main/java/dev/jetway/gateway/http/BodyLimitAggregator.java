package dev.jetway.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/** Collects request bodies up to the limit; a larger one gets an OpenAI-shaped 413 and the connection closes. */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final int limit;

    BodyLimitAggregator(int limit) {
        super(limit, true);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // On a keep-alive connection the aggregator discards the rest of the body as it arrives (nothing is kept),
        // so a client still busy sending can read the 413 afterwards instead of failing on a reset.
        Responses.error(ctx, OpenAiError.tooLarge(limit), HttpUtil.isKeepAlive(oversized)
                && !(oversized instanceof io.netty.handler.codec.http.FullHttpMessage));
    }
}
