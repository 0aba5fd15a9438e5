package dev.jetway.gateway.http;

import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ApiKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 client connection, or one HTTP/2 stream: answers the gateway's own endpoints and sends each inference
 * request down the {@link RequestPath}, one at a time (pipelined HTTP/1.1 requests wait their turn, as HTTP/1.1
 * requires; an HTTP/2 stream carries exactly one request).
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ExchangeOwner {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final ProxyContext context;
    private final RequestPath requestPath;
    /** On an HTTP/2 stream "keep-alive" is meaningless: the stream ends with its response, the connection stays. */
    private final boolean http2Stream;
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>(0);
    private ChannelHandlerContext ctx;
    /** The inference request being served, or null. */
    private GatewayRequest current;
    private boolean busy;

    ClientHandler(RequestPath requestPath, boolean http2Stream) {
        this.context = requestPath.context();
        this.requestPath = requestPath;
        this.http2Stream = http2Stream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (request.decoderResult().isFailure()) {
            request.release();
            Responses.error(ctx, OpenAiError.badRequest("malformed HTTP request: "
                    + request.decoderResult().cause().getMessage(), null), false);
            return;
        }
        if (busy) {
            pending.add(request);
            return;
        }
        handleSafely(request);
    }

    /** A bug in one request's handling must answer that request with a 500, not take the connection down silently. */
    private void handleSafely(FullHttpRequest request) {
        try {
            handle(request);
        } catch (RuntimeException e) {
            log.error("request failed unexpectedly", e);
            if (request.refCnt() > 0 && current == null) {
                request.release();
            }
            if (current == null && ctx.channel().isActive()) {
                Responses.error(ctx, OpenAiError.internal("internal error in the gateway (logged)"), false);
                busy = false;
            }
        }
    }

    private void handle(FullHttpRequest request) {
        busy = true;
        boolean keepAlive = http2Stream || HttpUtil.isKeepAlive(request);
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        ApiKind kind = ApiKind.ofPath(path);
        if (kind == null) {
            try {
                answerOwn(request, path, keepAlive);
            } finally {
                request.release();
            }
            exchangeDone(keepAlive);
            return;
        }
        GatewayRequest inference = requestPath.newRequest(ctx, request, this, keepAlive, kind, System.nanoTime());
        current = inference;
        requestPath.start(inference);
    }

    private void answerOwn(FullHttpRequest request, String path, boolean keepAlive) {
        boolean get = HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method());
        switch (path) {
            case "/health" -> {
                if (get) {
                    Responses.json(ctx, 200, "{\"status\":\"ok\"}", keepAlive);
                    return;
                }
            }
            case "/ready" -> {
                if (get) {
                    Responses.ready(ctx, context.routing().readiness().notReadyReason(), keepAlive);
                    return;
                }
            }
            case "/v1/models" -> {
                if (get) {
                    listModels(request, keepAlive);
                    return;
                }
            }
            default -> {
                Responses.error(ctx, OpenAiError.notFound("no route for " + path, "not_found"), keepAlive);
                return;
            }
        }
        Responses.error(ctx, OpenAiError.methodNotAllowed(request.method().name(), path), keepAlive);
    }

    /** The models, as the caller's API key may see them (all of them without keys configured). */
    private void listModels(FullHttpRequest request, boolean keepAlive) {
        AccessControl access = context.access();
        if (!access.authenticating()) {
            Responses.json(ctx, 200, ModelList.json(context.routing().table(), model -> true), keepAlive);
            return;
        }
        ApiKeys keys = access.apiKeys();
        if (keys == null) {
            Responses.error(ctx, OpenAiError.noEndpoint("the gateway has not loaded its API keys yet"), keepAlive);
            return;
        }
        switch (keys.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            case ApiKeys.Outcome.Valid v -> Responses.json(ctx, 200,
                    ModelList.json(context.routing().table(), v.key()::allows), keepAlive);
            case ApiKeys.Outcome.Missing m -> Responses.error(ctx, OpenAiError.unauthorized("missing API key: send it "
                    + "as Authorization: Bearer <key>", "missing_api_key"), keepAlive);
            case ApiKeys.Outcome.Invalid i -> Responses.error(ctx, OpenAiError.unauthorized("incorrect API key "
                    + "provided", "invalid_api_key"), keepAlive);
        }
    }

    @Override
    public void exchangeDone(boolean keepAlive) {
        current = null;
        busy = false;
        if (!keepAlive) {
            drainPending();
            // a stream is ended by its response (or reset by whoever abandoned it), never by an empty write
            if (!http2Stream && ctx.channel().isActive()) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        FullHttpRequest next = pending.poll();
        if (next != null) {
            handleSafely(next);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        GatewayRequest c = current;
        if (c != null) {
            c.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Silence from the client only matters while it owes us a request: a streaming response may run for minutes. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        GatewayRequest c = current;
        if (c != null) {
            c.clientGone();
        }
        drainPending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void drainPending() {
        FullHttpRequest r;
        while ((r = pending.poll()) != null) {
            r.release();
        }
    }
}
