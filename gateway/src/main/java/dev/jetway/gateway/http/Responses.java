package dev.jetway.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Complete responses the gateway answers itself (errors, health, model list, metrics). */
public final class Responses {

    public static final String DROPPED_REASON_HEADER = "x-llm-d-request-dropped-reason";

    private Responses() {
    }

    public static ChannelFuture error(ChannelHandlerContext ctx, OpenAiError error, boolean keepAlive) {
        FullHttpResponse r = full(HttpResponseStatus.valueOf(error.status()), "application/json", error.toJson());
        if (error.dropReason() != null) {
            r.headers().set(DROPPED_REASON_HEADER, error.dropReason());
        }
        if (error.status() == 401) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (error.retryAfterSeconds() > 0) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
        }
        return send(ctx, r, keepAlive);
    }

    public static ChannelFuture json(ChannelHandlerContext ctx, int status, String json, boolean keepAlive) {
        return send(ctx, full(HttpResponseStatus.valueOf(status), "application/json",
                json.getBytes(StandardCharsets.UTF_8)), keepAlive);
    }

    /**
     * {@code /ready}: 200, or 503 saying why not; either way with the engine each endpoint's metrics are read as
     * ({@code pool/address -> engine}) and each pool's routing tokenizer ({@code pool -> tokenizer}).
     */
    public static ChannelFuture ready(ChannelHandlerContext ctx, dev.jetway.gateway.routing.Readiness readiness,
                                      boolean keepAlive) {
        String notReadyReason = readiness.notReadyReason();
        var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("status", notReadyReason == null ? "ready" : notReadyReason);
        var list = body.putObject("engines");
        readiness.engines().forEach(list::put);
        var tokenizers = body.putObject("tokenizers");
        readiness.tokenizers().forEach(tokenizers::put);
        return json(ctx, notReadyReason == null ? 200 : 503, body.toString(), keepAlive);
    }

    public static ChannelFuture text(ChannelHandlerContext ctx, int status, String contentType, String body,
                                     boolean keepAlive) {
        return send(ctx, full(HttpResponseStatus.valueOf(status), contentType, body.getBytes(StandardCharsets.UTF_8)),
                keepAlive);
    }

    static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    private static ChannelFuture send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        HttpUtil.setKeepAlive(r, keepAlive);
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return f;
    }
}
