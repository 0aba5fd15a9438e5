package dev.jetway.gateway.path;

import dev.jetway.gateway.audit.RequestAudit;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.security.ApiKey;
import dev.jetway.gateway.trace.RequestTrace;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.flow.FlowController;
import dev.jetway.scheduler.flow.FlowTicket;
import dev.jetway.scheduler.flow.TenantRateLimiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One inference request on its way through the {@link RequestPath}: the side it answers on ({@link ClientSide}: an
 * HTTP client connection, or an Envoy ext_proc stream), what each stage has found out so far, and where it is. It owns
 * the request's body until it {@link #end ends}: exactly once, by a local reply, by its {@link ProxyExchange} (or the
 * ext_proc stream's response), or because the client went away.
 *
 * <p>Confined to the client side's event loop; a stage that hands work elsewhere comes back through
 * {@link #resume()}.
 */
public final class GatewayRequest {

    private static final AtomicLong REQUEST_IDS = new AtomicLong();
    private static final java.util.regex.Pattern CLIENT_REQUEST_ID =
            java.util.regex.Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");

    private final ClientSide client;
    /** The HTTP client connection; null for a request from an ext_proc stream. */
    private final ChannelHandlerContext ctx;
    private FullHttpRequest http;
    private final GatewayMetrics metrics;
    private final RequestPath path;
    private final boolean keepAlive;
    private final ApiKind kind;
    private final long startNanos;
    private int bodyBytes;
    private String requestId;
    /** What the audit log will record of this request; null when the audit log is off. */
    private RequestAudit audit;
    private boolean bodyReplaced;

    int nextStage;
    private ParsedRequest parsed;
    private RequestIdentity identity;
    /** The API key the request was authenticated with, or null (no keys configured). */
    private ApiKey caller;
    private GatewayPool pool;
    private InferenceRequest inference;
    private SchedulingResult decision;
    private ProxyExchange exchange;
    /** What a suspended stage does when the client goes away (cancel its work, and end the request when it may). */
    private Runnable onClientGone;
    private boolean clientGone;
    private boolean ended;
    /** Flow control's hold on the request once it was let through (null: no flow control, or not dispatched). */
    private FlowController flowController;
    private FlowTicket flowTicket;
    private TenantRateLimiter rateLimiter;
    /** The body the model server gets instead of the client's (a split request's decode leg); null: the client's. */
    private ByteBuf upstreamBody;
    private SplitLeg split;
    /** The data plane's restriction of the candidates (ext_proc's subset hint), or null. */
    private EndpointSubset subset;
    private boolean bodyReleased;
    /** The request's spans; {@link RequestTrace#NONE} with tracing off. */
    private final RequestTrace trace;

    GatewayRequest(ChannelHandlerContext ctx, FullHttpRequest http, ExchangeOwner owner, GatewayMetrics metrics,
                   RequestPath path, boolean keepAlive, ApiKind kind, long startNanos) {
        this(new HttpClientSide(ctx, keepAlive, owner), ctx, http, metrics, path, keepAlive, kind, startNanos);
    }

    GatewayRequest(ClientSide client, ChannelHandlerContext ctx, FullHttpRequest http, GatewayMetrics metrics,
                   RequestPath path, boolean keepAlive, ApiKind kind, long startNanos) {
        this.client = client;
        this.ctx = ctx;
        this.http = http;
        this.metrics = metrics;
        this.path = path;
        this.keepAlive = keepAlive;
        this.kind = kind;
        this.startNanos = startNanos;
        this.bodyBytes = http.content().readableBytes();
        this.trace = path == null ? RequestTrace.NONE : path.tracing().startRequest(http, kind, bodyBytes,
                ctx == null ? null : ctx.channel(), ctx == null);
    }

    /** The request's trace: its stages and legs report to it ({@link RequestTrace#NONE} with tracing off). */
    public RequestTrace trace() {
        return trace;
    }

    /** The HTTP client connection: only the stages that proxy (prefill, proxy) use it, and only the gateway runs them. */
    public ChannelHandlerContext ctx() {
        if (ctx == null) {
            throw new IllegalStateException("a request from an ext_proc stream has no HTTP client connection");
        }
        return ctx;
    }

    /** Where the request came from and is answered. */
    public ClientSide client() {
        return client;
    }

    /** The event loop the request is confined to. */
    public EventExecutor executor() {
        return client.executor();
    }

    public FullHttpRequest http() {
        return http;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public ApiKind kind() {
        return kind;
    }

    /** {@code System.nanoTime()} when the gateway took the request: its latencies count from here. */
    public long startNanos() {
        return startNanos;
    }

    public int bodyBytes() {
        return bodyBytes;
    }

    /**
     * The request header's value (names are case-insensitive), or null; of a repeated header the last one, as the
     * scheduler's view of the headers keeps it.
     */
    public String header(String name) {
        String first = http.headers().get(name);
        if (first == null) {
            return null;
        }
        java.util.List<String> all = http.headers().getAll(name);
        return all.size() == 1 ? first : all.getLast();
    }

    /**
     * {@code x-request-id} as the client sent it when it is harmless (1-128 characters of {@code A-Za-z0-9._:+/=-}: it
     * reaches logs, the audit record and model servers), else an id the gateway gives the request ({@link #newId}).
     */
    public String requestId() {
        if (requestId == null) {
            String sent = header("x-request-id");
            requestId = sent != null && CLIENT_REQUEST_ID.matcher(sent).matches() ? sent : newId();
        }
        return requestId;
    }

    /** A request id of the gateway's own: {@code jw-N}, N counting up in hex. */
    public static String newId() {
        return "jw-" + Long.toHexString(REQUEST_IDS.incrementAndGet());
    }

    /** What the audit log will record of this request, or null when the audit log is off. */
    public RequestAudit audit() {
        return audit;
    }

    void audit(RequestAudit audit) {
        this.audit = audit;
    }

    /**
     * The client's body is replaced by {@code body} (a guardrail rewrote it), parsed as {@code reparsed}: every later
     * stage, the model server and the audit record see the new one.
     */
    void replaceBody(byte[] body, ParsedRequest reparsed) {
        FullHttpRequest old = http;
        http = old.replace(Unpooled.wrappedBuffer(body));
        old.release();
        bodyBytes = body.length;
        parsed = reparsed;
        bodyReplaced = true;
    }

    /**
     * The body forwarded becomes {@code body}, which asks for the same as the client's (so the parsed request stays):
     * the propagated priority ({@link ScheduleStage}).
     */
    void rewriteBody(byte[] body) {
        FullHttpRequest old = http;
        http = old.replace(Unpooled.wrappedBuffer(body));
        old.release();
        bodyBytes = body.length;
        bodyReplaced = true;
    }

    /**
     * Whether a stage rewrote the client's body (a guardrail, the propagated priority): {@link #http()} holds the one
     * forwarded.
     */
    public boolean bodyReplaced() {
        return bodyReplaced;
    }

    public ParsedRequest parsed() {
        return parsed;
    }

    void parsed(ParsedRequest parsed) {
        this.parsed = parsed;
        trace.parsed(parsed);
    }

    /** The API key the request was authenticated with; null when the gateway takes requests without keys. */
    public ApiKey caller() {
        return caller;
    }

    void caller(ApiKey key) {
        this.caller = key;
    }

    public RequestIdentity identity() {
        return identity;
    }

    void identity(RequestIdentity identity) {
        this.identity = identity;
        trace.identified(identity.objective(), identity.priority(), identity.fairnessId());
    }

    public GatewayPool pool() {
        return pool;
    }

    void pool(GatewayPool pool) {
        this.pool = pool;
        trace.pool(pool.name());
    }

    public InferenceRequest inference() {
        return inference;
    }

    void inference(InferenceRequest inference) {
        this.inference = inference;
    }

    /** The scheduler's first decision, taken by the schedule stage. */
    public SchedulingResult decision() {
        return decision;
    }

    void decision(SchedulingResult decision) {
        this.decision = decision;
        trace.decided(decision);
    }

    /** The model named by the body, or "" before it is parsed: the label of the request's metrics. */
    public String modelLabel() {
        return parsed == null ? "" : parsed.model();
    }

    public boolean isEnded() {
        return ended;
    }

    /** Whether the client has gone away; a suspended stage checks it when its work comes back. */
    public boolean isClientGone() {
        return clientGone;
    }

    /** Goes on with the path after a suspended stage; callable from any thread. */
    public void resume() {
        EventExecutor executor = client.executor();
        if (executor.inEventLoop()) {
            onClientGone = null;
            trace.stageEnded(); // the suspended stage's work came back
            path.advance(this);
        } else {
            executor.execute(this::resume);
        }
    }

    /** Called by a suspending stage: what to do if the client goes away meanwhile. */
    public void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    /**
     * The prompt's size in tokens as far as known before tokenizing: the ids the client sent, else llm-d's estimate
     * of 4 characters per token of the prompt text.
     */
    public long promptTokenEstimate() {
        int[] ids = parsed.promptTokens();
        if (ids != null) {
            return ids.length;
        }
        String text = parsed.promptText();
        return text == null ? 0 : text.length() / 4;
    }

    /** The tenant's rate limiter took this request's prompt; the tokens it generates are charged when it ends. */
    void rateLimited(TenantRateLimiter limiter) {
        this.rateLimiter = limiter;
    }

    /** The response generated {@code tokens} (known only for a successful one): charged to the tenant's limit. */
    public void generated(long tokens) {
        trace.generated(tokens);
        if (rateLimiter != null && tokens > 0) {
            rateLimiter.charge(identity.fairnessId(), tokens, System.nanoTime());
        }
    }

    /** Flow control let the request through: it must hear when the request is charged and when it is over. */
    void flowDispatched(FlowController controller, FlowTicket ticket) {
        this.flowController = controller;
        this.flowTicket = ticket;
        trace.queued(ticket.queueNanos());
        if (audit != null) {
            audit.queued(ticket.queueNanos());
        }
    }

    /**
     * The request is now charged to an endpoint (the scheduler's pre-request hooks ran): flow control stops counting
     * it as in transit. Idempotent; nothing without flow control.
     */
    public void flowCharged() {
        if (flowTicket != null) {
            flowController.acknowledge(flowTicket);
        }
    }

    /** Flow control wants this running sheddable request stopped; on the event loop. */
    void evict(OpenAiError error) {
        if (ended) {
            return;
        }
        if (exchange != null) {
            exchange.evict(error);
        } else {
            client.evict(error);
        }
    }

    /**
     * The gateway shuts down and this request is still running at the drain's deadline: its upstream request is
     * cancelled and the client gets {@code error} (a terminal SSE event once a stream has started); a request still
     * in a suspended stage (queued in flow control, tokenizing) is answered and the stage's work cancelled. On the
     * event loop.
     */
    public void shutDown(OpenAiError error) {
        if (ended) {
            return;
        }
        if (exchange != null) {
            exchange.stop(error);
            return;
        }
        Runnable cancelStage = onClientGone;
        replyLocally(error);
        if (cancelStage != null) {
            cancelStage.run();
        }
    }

    /** Only the endpoints {@code subset} allows are candidates (the schedule stage applies it). */
    public void subset(EndpointSubset subset) {
        this.subset = subset;
    }

    /** The data plane's restriction of the candidates, or null (every ready endpoint of the pool). */
    public EndpointSubset subset() {
        return subset;
    }

    /**
     * Frees the client's body before the request ends, for a caller that has nothing left to read in it (an ext_proc
     * stream once it has routed the request and handed the body back to Envoy: its response may run for minutes).
     */
    public void releaseBody() {
        if (!bodyReleased && !ended) {
            if (audit != null && parsed != null) {
                audit.keepBody(upstreamBody());
            }
            bodyReleased = true;
            http.release();
        }
    }

    /** The body to send the model server: the client's, or the one a stage put in its place. */
    public ByteBuf upstreamBody() {
        return upstreamBody != null ? upstreamBody : http.content();
    }

    /** The model server gets {@code body} instead of the client's. */
    public void upstreamBody(byte[] body) {
        this.upstreamBody = Unpooled.wrappedBuffer(body);
    }

    /** The prefill half of a split request, or null. */
    public SplitLeg split() {
        return split;
    }

    public void split(SplitLeg split) {
        this.split = split;
    }

    /** The proxy exchange now carries the request to the model server and ends it. */
    void proxiedBy(ProxyExchange exchange) {
        this.exchange = exchange;
    }

    public ProxyExchange exchange() {
        return exchange;
    }

    /**
     * Answers the request with an error before any response byte was written (the one {@link LocalReply}), and
     * frees the connection for the next request. Callable from any thread; a no-op once the request has ended.
     */
    public void replyLocally(OpenAiError error) {
        EventExecutor executor = client.executor();
        if (!executor.inEventLoop()) {
            executor.execute(() -> replyLocally(error));
            return;
        }
        if (ended) {
            return;
        }
        if (audit != null) {
            audit.error(error);
        }
        trace.failed(error);
        LocalReply.send(client, error, metrics, modelLabel());
        end(true);
    }

    /**
     * The request is done: its body is released and the connection may serve the next request ({@code reuse} and the
     * client's keep-alive permitting). Idempotent.
     */
    public void end(boolean reuse) {
        if (ended) {
            return;
        }
        ended = true;
        onClientGone = null;
        if (audit != null) {
            audit.finish(this, System.nanoTime()); // before the body goes: the record may quote it
        }
        if (!bodyReleased) {
            http.release();
        }
        if (upstreamBody != null) {
            upstreamBody.release();
        }
        if (flowTicket != null) {
            // room for what waits: the controller lets the next request through at once
            flowController.finished(flowTicket);
            flowController.dispatch(pool.readyCandidates(), System.nanoTime());
        }
        trace.ended(clientGone);
        client.ended(reuse);
    }

    /** The client connection closed. */
    public void clientGone() {
        if (ended || clientGone) {
            return;
        }
        clientGone = true;
        if (exchange != null) {
            exchange.clientGone();
            return;
        }
        metrics.clientDisconnect();
        Runnable action = onClientGone;
        if (action != null) {
            onClientGone = null;
            action.run();
        } else {
            end(false);
        }
    }

    /** The client can take more bytes again, or cannot. */
    public void clientWritabilityChanged(boolean writable) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(writable);
        }
    }
}
