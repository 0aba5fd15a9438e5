package dev.jetway.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Collects request bodies up to the limit; a larger one gets an OpenAI-shaped 413 and the connection closes. */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final int limit;

    BodyLimitAggregator(int limit) {
        super(limit, true);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // the rest of the body is still on the wire: answering and closing is the only way not to read it all
        Responses.error(ctx, OpenAiError.tooLarge(limit), false);
    }
}
