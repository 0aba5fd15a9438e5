package dev.jetway.gateway.http;

import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.metrics.ClientRefusal;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ApiKeys;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 client connection, or one HTTP/2 stream: answers the gateway's own endpoints and sends each inference
 * request down the {@link RequestPath}, one at a time (pipelined HTTP/1.1 requests wait their turn, as HTTP/1.1
 * requires; an HTTP/2 stream carries exactly one request).
 *
 * <p>An HTTP/1.1 connection reads nothing more while a request of it is served, and nothing until the client has
 * taken the answer (writable again), so a client pipelining faster than it reads cannot make the gateway hold its
 * requests or responses: only what one read brought is queued, at most {@value #MAX_PIPELINED} requests; beyond
 * that the connection closes after answering the queued ones (HTTP/1.1 clients retry what a closed connection left
 * unanswered).
 *
 * <p>On a {@link DrainEvent drain} an idle connection closes at once and a busy one after its answer; a request that
 * still arrives gets a 503. At the drain's deadline the request in flight is stopped (a stream ends with an SSE error
 * event).
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ExchangeOwner {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    /** Pipelined requests an HTTP/1.1 connection may have waiting behind the one being served. */
    static final int MAX_PIPELINED = 16;
    /** How long a connection refused for a bad head lingers, discarding input, so the client can read why. */
    private static final long LINGER_MILLIS = 1000;

    private final ProxyContext context;
    private final RequestPath requestPath;
    /** On an HTTP/2 stream "keep-alive" is meaningless: the stream ends with its response, the connection stays. */
    private final boolean http2Stream;
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>(0);
    private ChannelHandlerContext ctx;
    /** The inference request being served, or null. */
    private GatewayRequest current;
    private boolean busy;
    /** More pipelined requests came than may wait: close once the waiting ones are answered. */
    private boolean overflowed;
    /** Reading resumes once the client has taken what was written (it is unwritable now). */
    private boolean resumeWhenWritable;
    private boolean draining;
    /** The last answer is out; the connection lingers, discarding input, until it closes. */
    private boolean closing;

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
        if (closing) {
            ReferenceCountUtil.release(msg); // lingering before the close: what still comes is discarded
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            request.release();
            refuseMalformed(ctx, cause);
            return;
        }
        if (busy || resumeWhenWritable) {
            if (pending.size() >= MAX_PIPELINED || overflowed) {
                if (!overflowed) {
                    overflowed = true;
                    context.metrics().clientRefused(ClientRefusal.PIPELINE_OVERFLOW);
                }
                request.release();
                return;
            }
            pending.add(request);
            return;
        }
        handleSafely(request);
    }

    /**
     * A head the decoder refused: too large (431, or 414 for the request line) or malformed (400). The decoder
     * discards whatever else the client sends, so the connection lingers a moment before it closes: a client still
     * sending its oversized head can then read the answer instead of a reset.
     */
    private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
        OpenAiError error;
        if (cause instanceof TooLongHttpHeaderException) {
            context.metrics().clientRefused(ClientRefusal.HEAD_TOO_LARGE);
            error = OpenAiError.headersTooLarge(context.maxHeaderBytes());
        } else if (cause instanceof TooLongHttpLineException) {
            context.metrics().clientRefused(ClientRefusal.HEAD_TOO_LARGE);
            error = OpenAiError.requestLineTooLong(ApiChannelInitializer.MAX_INITIAL_LINE);
        } else {
            error = OpenAiError.badRequest("malformed HTTP request: " + cause.getMessage(), null);
        }
        if (http2Stream) {
            Responses.error(ctx, error, false);
            return;
        }
        busy = true; // nothing more is served on this connection
        FullHttpResponse r = Responses.full(HttpResponseStatus.valueOf(error.status()), "application/json",
                error.toJson());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.write(r);
        lingeringClose();
    }

    /**
     * Closes after what is written, without a reset: the output is shut (the client reads every answer, then the
     * end) and input is read and discarded for a moment before the close, since closing with unread input would
     * send a reset that can destroy answers the client has yet to read.
     */
    private void lingeringClose() {
        closing = true;
        Channel ch = ctx.channel();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (ch instanceof DuplexChannel duplex && ch.isActive()) {
                duplex.shutdownOutput();
            }
            ch.config().setAutoRead(true);
            ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
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
        if (!http2Stream) {
            // nothing more is read until this request is answered (see the class comment)
            ctx.channel().config().setAutoRead(false);
        }
        if (draining) {
            request.release();
            context.metrics().clientRefused(ClientRefusal.SHUTTING_DOWN);
            Responses.error(ctx, OpenAiError.shuttingDown(), false);
            exchangeDone(false);
            return;
        }
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
                    Responses.ready(ctx, context.routing().readiness(), keepAlive);
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
        if (keepAlive && !pending.isEmpty()) {
            handleSafely(pending.poll()); // a draining gateway answers it 503 and closes
            return;
        }
        if (!keepAlive || draining || overflowed) {
            drainPending();
            // a stream is ended by its response (or reset by whoever abandoned it), never by an empty write
            if (!http2Stream && ctx.channel().isActive()) {
                if (overflowed) {
                    lingeringClose(); // the client is still sending the requests it will retry
                } else {
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            }
            return;
        }
        if (!http2Stream) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            } else {
                resumeWhenWritable = true;
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        GatewayRequest c = current;
        if (c != null) {
            c.clientWritabilityChanged(writable);
        }
        if (writable && resumeWhenWritable && !busy) {
            resumeWhenWritable = false;
            FullHttpRequest next = pending.poll();
            if (next != null) {
                handleSafely(next);
            } else {
                ctx.channel().config().setAutoRead(true);
            }
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
        if (evt instanceof DrainEvent drain) {
            drain(drain);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The gateway drains: stop taking requests (close when idle), or at the deadline stop the one in flight. */
    private void drain(DrainEvent event) {
        draining = true;
        if (!busy) {
            if (!http2Stream) {
                ctx.close();
            }
            return;
        }
        GatewayRequest c = current;
        if (event instanceof DrainEvent.Deadline deadline && c != null) {
            c.shutDown(OpenAiError.drainTimedOut(deadline.drainTimeout()));
        }
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
        if (overflowed || closing) {
            // the HTTP codec also refuses to track more unanswered pipelined requests; the connection already
            // closes gracefully once the queued ones are answered
            return;
        }
        ctx.close();
    }

    private void drainPending() {
        FullHttpRequest r;
        while ((r = pending.poll()) != null) {
            r.release();
        }
    }
}
