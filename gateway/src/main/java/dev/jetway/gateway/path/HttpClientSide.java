package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.http.Responses;
import dev.jetway.gateway.proxy.ExchangeOwner;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;

/** An HTTP/1.1 connection or HTTP/2 stream of the gateway's API port, as the side a request is answered on. */
record HttpClientSide(ChannelHandlerContext ctx, boolean keepAlive, ExchangeOwner owner) implements ClientSide {

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public void sendError(OpenAiError error) {
        if (ctx.channel().isActive()) {
            Responses.error(ctx, error, keepAlive);
        }
    }

    @Override
    public void ended(boolean reuse) {
        owner.exchangeDone(reuse && keepAlive);
    }
}
