package dev.jetway.gateway.http;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.BadRequestException;
import dev.jetway.gateway.request.ChatTemplate;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingTable;
import dev.jetway.gateway.routing.SaturationDetector;
import dev.jetway.gateway.tokenize.ChatTokenizer;
import dev.jetway.gateway.tokenize.RemoteTokenizer;
import dev.jetway.gateway.tokenize.RemoteTokens;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.latency.SloTargets;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 client connection, or one HTTP/2 stream: answers the gateway's own endpoints, validates and parses
 * inference requests, and runs one {@link ProxyExchange} at a time (pipelined HTTP/1.1 requests wait their turn, as
 * HTTP/1.1 requires; an HTTP/2 stream carries exactly one request).
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ExchangeOwner {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    private static final AtomicLong REQUEST_IDS = new AtomicLong();
    static final String DEBUG_HEADER = "x-jetway-debug";
    static final String OBJECTIVE_HEADER = "x-llm-d-inference-objective";
    private static final List<String> SLO_HEADERS = List.of(SloTargets.TTFT_HEADER, SloTargets.TPOT_HEADER,
            SloTargets.LEGACY_TTFT_HEADER, SloTargets.LEGACY_TPOT_HEADER);

    private final ProxyContext context;
    /** On an HTTP/2 stream "keep-alive" is meaningless: the stream ends with its response, the connection stays. */
    private final boolean http2Stream;
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>(0);
    private ChannelHandlerContext ctx;
    private ProxyExchange current;
    private boolean busy;

    ClientHandler(ProxyContext context, boolean http2Stream) {
        this.context = context;
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
                Responses.error(ctx, OpenAiError.internal("internal error: " + e.getMessage()), false);
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
        OpenAiError refusal = check(request, kind);
        if (refusal != null) {
            request.release();
            context.metrics().requestError("", Integer.toString(refusal.status()));
            Responses.error(ctx, refusal, keepAlive);
            exchangeDone(keepAlive);
            return;
        }
        long start = System.nanoTime();
        ParsedRequest parsed;
        try {
            parsed = context.parser().parse(kind, request.content());
        } catch (BadRequestException e) {
            request.release();
            context.metrics().requestError("", "400");
            Responses.error(ctx, OpenAiError.badRequest(e.getMessage(), e.param()), keepAlive);
            exchangeDone(keepAlive);
            return;
        }
        OpenAiError badObjective = checkLatencyObjectives(request);
        if (badObjective != null) {
            request.release();
            context.metrics().requestError(parsed.model(), "400");
            Responses.error(ctx, badObjective, keepAlive);
            exchangeDone(keepAlive);
            return;
        }
        RoutingTable table = context.routing().table();
        GatewayPool pool = table.poolFor(parsed.model());
        if (pool == null) {
            request.release();
            context.metrics().requestError(parsed.model(), "404");
            Responses.error(ctx, OpenAiError.notFound("The model `" + parsed.model() + "` does not exist.",
                    "model_not_found"), keepAlive);
            exchangeDone(keepAlive);
            return;
        }
        AdmissionSettings admission = context.routing().config().admission();
        int priority = admission.priorityOf(request.headers().get(OBJECTIVE_HEADER));
        if (priority < 0 && SaturationDetector.saturated(pool, admission, System.nanoTime())) {
            request.release();
            context.metrics().requestError(parsed.model(), "429");
            Responses.error(ctx, OpenAiError.shed("system saturated, sheddable request dropped",
                    "rejected-saturated"), keepAlive);
            exchangeDone(keepAlive);
            return;
        }
        if (pool.tokenizer() instanceof RemoteTokenizer) {
            // the model server tokenizes: a network call, kept off the event loop (busy holds pipelined requests)
            Thread.startVirtualThread(() -> {
                InferenceRequest inference;
                try {
                    inference = toInference(request, parsed, pool, priority);
                } catch (RuntimeException e) {
                    ctx.executor().execute(() -> {
                        request.release();
                        context.metrics().requestError(parsed.model(), "500");
                        Responses.error(ctx, OpenAiError.internal("could not prepare the request for routing: "
                                + e.getMessage()), keepAlive);
                        exchangeDone(keepAlive);
                    });
                    return;
                }
                ctx.executor().execute(() -> startExchange(request, parsed, inference, pool, start));
            });
            return;
        }
        startExchange(request, parsed, toInference(request, parsed, pool, priority), pool, start);
    }

    private void startExchange(FullHttpRequest request, ParsedRequest parsed, InferenceRequest inference,
                               GatewayPool pool, long start) {
        boolean debug = context.debugHeaderAlways() || "1".equals(request.headers().get(DEBUG_HEADER));
        current = new ProxyExchange(ctx, this, request, parsed, inference, pool, context.metrics(),
                context.routing().config().upstream(), debug, start);
        current.start();
    }

    private static OpenAiError check(FullHttpRequest request, ApiKind kind) {
        if (!HttpMethod.POST.equals(request.method())) {
            return OpenAiError.methodNotAllowed(request.method().name(), kind.path());
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!base.equals("application/json") && !base.endsWith("+json")) {
                return OpenAiError.unsupportedMediaType(contentType);
            }
        }
        return null;
    }

    /**
     * llm-d's latency objective headers ({@code x-llm-d-slo-ttft-ms}, {@code x-llm-d-slo-tpot-ms} and the older
     * {@code x-slo-*-ms}) must be non-negative numbers: a malformed one is a 400 naming it, before anything is
     * scheduled, rather than an objective silently ignored. Reads the values the scheduler will see (the last one of a
     * repeated header, as {@link #toInference} keeps); no work at all when none is sent.
     */
    private static OpenAiError checkLatencyObjectives(FullHttpRequest request) {
        InferenceRequest.Builder objectives = null;
        for (String name : SLO_HEADERS) {
            if (request.headers().contains(name)) {
                if (objectives == null) {
                    objectives = InferenceRequest.builder("slo-check");
                }
                objectives.header(name, request.headers().getAll(name).getLast());
            }
        }
        if (objectives == null) {
            return null;
        }
        try {
            SloTargets.parse(objectives.build());
            return null;
        } catch (SloTargets.InvalidHeader e) {
            return OpenAiError.badRequest(e.getMessage(), e.header());
        }
    }

    private InferenceRequest toInference(FullHttpRequest request, ParsedRequest parsed, GatewayPool pool,
                                         int priority) {
        int[] tokens;
        if (parsed.promptTokens() != null) {
            tokens = parsed.promptTokens();
        } else if (pool.tokenizer() instanceof RemoteTokenizer remote) {
            tokens = RemoteTokens.of(remote, parsed);
        } else if (pool.tokenizer() == null) {
            tokens = null; // the scheduler's token producer estimates from the text
        } else if (parsed.kind() == ApiKind.CHAT_COMPLETIONS && pool.tokenizer() instanceof ChatTokenizer chat) {
            tokens = chat.encodeChat(parsed.messages(), parsed.addGenerationPrompt());
        } else if (parsed.kind() == ApiKind.CHAT_COMPLETIONS) {
            tokens = pool.tokenizer().encode(ChatTemplate.render(parsed.messages(), parsed.addGenerationPrompt()));
        } else {
            tokens = pool.tokenizer().encode(parsed.promptText());
        }
        String requestId = request.headers().get("x-request-id");
        if (requestId == null || requestId.isEmpty()) {
            requestId = "jw-" + Long.toHexString(REQUEST_IDS.incrementAndGet());
        }
        InferenceRequest.Builder b = InferenceRequest.builder(requestId)
                .model(parsed.model())
                .priority(priority)
                .prompt(parsed.promptText())
                .tokenIds(tokens)
                .messages(parsed.messages())
                .stream(parsed.stream())
                .maxTokens(parsed.maxTokens())
                .loraAdapter(pool.loraAdapterFor(parsed.model()))
                .cacheSalt(parsed.cacheSalt())
                .bodySizeBytes(request.content().readableBytes());
        for (var h : request.headers()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.build();
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
                    boolean ready = context.routing().table().anyReady();
                    Responses.json(ctx, ready ? 200 : 503, ready ? "{\"status\":\"ready\"}"
                            : "{\"status\":\"no ready endpoint\"}", keepAlive);
                    return;
                }
            }
            case "/v1/models" -> {
                if (get) {
                    Responses.json(ctx, 200, ModelList.json(context.routing().table()), keepAlive);
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
        ProxyExchange c = current;
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
        ProxyExchange c = current;
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
