package dev.jetway.sim.http;

import dev.jetway.sim.openai.ApiError;
import dev.jetway.sim.openai.ResponseJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.util.function.Consumer;

/** Writes complete (non-streaming) HTTP responses. */
final class Responses {

    private Responses() {
    }

    static void json(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive,
                     Consumer<ByteBufOutputStream> body) {
        ByteBuf buf = ctx.alloc().buffer(512);
        try {
            body.accept(new ByteBufOutputStream(buf));
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        send(ctx, status, keepAlive, buf, HttpHeaderValues.APPLICATION_JSON.toString());
    }

    static void error(ChannelHandlerContext ctx, ResponseJson json, ApiError error, boolean keepAlive) {
        json(ctx, HttpResponseStatus.valueOf(error.status()), keepAlive, out -> json.writeError(out, error));
    }

    static void send(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive, ByteBuf body,
                     String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        HttpUtil.setContentLength(response, body.readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response);
    }
}
