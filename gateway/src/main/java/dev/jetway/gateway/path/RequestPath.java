package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.request.ApiKind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import dev.jetway.gateway.trace.Tracing;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference request's way through the gateway, as named stages run in order (after GIE's request director):
 *
 * <ol>
 *   <li>{@code audit}: with the audit log on, the request's {@link dev.jetway.gateway.audit.RequestAudit}, whose one
 *       record is written when the request ends, whichever way ({@link GatewayRequest#end});</li>
 *   <li>{@code validate}: method and content type;</li>
 *   <li>{@code authenticate}: the API key, when {@code security.apiKeys} is set (401), before the body is parsed;</li>
 *   <li>{@code parse}: the body, into {@link dev.jetway.gateway.request.ParsedRequest};</li>
 *   <li>{@code authorize}: the key may use the model (403);</li>
 *   <li>{@code identify}: objective and priority, fairness id (the key's tenant when keys are used), latency
 *   objectives;</li>
 *   <li>{@code guard}: the guardrails (model allow-list, token limits, deny and redact rules, moderation);</li>
 *   <li>{@code rate-limit}: the tenant's token-rate limit;</li>
 *   <li>{@code resolve-pool}: the pool serving the model;</li>
 *   <li>{@code admit}: flow control (queue, dispatch by priority and fairness, shed), or legacy admission;</li>
 *   <li>{@code tokenize}: the scheduler's view of the request (token ids from the pool's tokenizer);</li>
 *   <li>{@code schedule}: the scheduler's decision (its admitters may refuse);</li>
 *   <li>{@code prefill}: for a request the P/D handler split, the prefill leg ({@link PrefillStage});</li>
 *   <li>{@code proxy}: pre-request hooks, the model server, response hooks ({@link dev.jetway.gateway.proxy.ProxyExchange}).</li>
 * </ol>
 *
 * A stage answers locally through {@link GatewayRequest#replyLocally} ({@link LocalReply}), never by writing itself.
 * The stages are shared by all requests and hold no per-request state.
 *
 * <p>With tracing on, each stage of {@link #TRACED_STAGES} runs inside a span of its own, a child of the request's
 * (docs/operations.md, "Tracing"): opened here before the stage runs, ended when it passes the request on, when its
 * suspended work comes back ({@link GatewayRequest#resume}) or when the request is answered or ends.
 *
 * <p>The endpoint picker ({@code jetway epp}) runs the same stages up to {@code schedule} and the P/D decision
 * ({@code prefill}, always the sidecar's way there), then its own last stage, which answers Envoy with the destination
 * instead of proxying ({@link #endpointPicker}).
 */
public final class RequestPath {

    private static final Logger log = LoggerFactory.getLogger(RequestPath.class);

    /** The gateway's stages, in order (docs/operations.md, "The request path"). */
    public static final List<String> STAGE_NAMES = List.of("audit", "validate", "authenticate", "parse",
            "authorize", "identify", "guard", "rate-limit", "resolve-pool", "admit", "tokenize", "schedule", "prefill",
            "proxy");
    /** The endpoint picker's stages, in order: the gateway's, with {@code route} (answer Envoy) for {@code proxy}. */
    public static final List<String> ENDPOINT_PICKER_STAGE_NAMES = List.of("audit", "validate", "authenticate",
            "parse", "authorize", "identify", "guard", "rate-limit", "resolve-pool", "admit", "tokenize", "schedule",
            "prefill", "route");

    /**
     * The stages that get a span: those that take time (parsing a large body, waiting in flow control, a tokenizer
     * call, scheduling). The others are a few header reads each; their work shows in the request span's attributes.
     * The legs to model servers are client spans of their own ({@link dev.jetway.gateway.trace.LegTrace}).
     */
    public static final Set<String> TRACED_STAGES = Set.of("parse", "admit", "tokenize", "schedule");

    private final List<RequestStage> stages;
    /** Per stage: whether it runs inside a span ({@link #TRACED_STAGES}). */
    private final boolean[] traced;
    private final ProxyContext context;
    private final GatewayMetrics metrics;
    private final Tracing tracing;

    public RequestPath(ProxyContext context) {
        this(context, context.metrics(), withLast(context, false, new ProxyStage(context)));
        if (!stageNames().equals(STAGE_NAMES)) {
            throw new IllegalStateException("stages " + stageNames() + " are not the documented " + STAGE_NAMES);
        }
    }

    /**
     * The endpoint picker's path: the gateway's stages through {@code schedule}, the P/D decision carried the
     * sidecar's way, and {@code route}, which answers the data plane with the decision and holds the request until
     * its response is over.
     */
    public static RequestPath endpointPicker(ProxyContext context, RequestStage route) {
        RequestPath path = new RequestPath(context, context.metrics(), withLast(context, true, route));
        if (!path.stageNames().equals(ENDPOINT_PICKER_STAGE_NAMES)) {
            throw new IllegalStateException("stages " + path.stageNames() + " are not the documented "
                    + ENDPOINT_PICKER_STAGE_NAMES);
        }
        return path;
    }

    /** The stages both paths share, then the P/D decision and {@code last}. */
    private static List<RequestStage> withLast(ProxyContext context, boolean sidecarOnly, RequestStage last) {
        return List.of(
                new AuditStage(context.audit()),
                new ValidateStage(),
                new AuthenticateStage(context.access()),
                new ParseStage(context.parser()),
                new AuthorizeStage(),
                new IdentifyStage(() -> context.routing().config().admission()),
                new GuardStage(() -> context.routing().config().guardrails(), context.parser(), context.metrics()),
                new RateLimitStage(context.routing()),
                new ResolvePoolStage(context.routing()),
                new AdmitStage(context.routing(), context.metrics()),
                new TokenizeStage(),
                new ScheduleStage(context.metrics()),
                new PrefillStage(context.metrics().pd(), sidecarOnly, context.access()),
                last);
    }

    private RequestPath(ProxyContext context, GatewayMetrics metrics, List<RequestStage> stages) {
        this.context = context;
        this.metrics = metrics;
        this.stages = List.copyOf(stages);
        this.tracing = context == null ? Tracing.off() : context.tracing();
        this.traced = new boolean[this.stages.size()];
        for (int i = 0; i < traced.length; i++) {
            traced[i] = tracing.isOn() && TRACED_STAGES.contains(this.stages.get(i).name());
        }
    }

    /** A path of other stages (tests). */
    static RequestPath of(List<RequestStage> stages, GatewayMetrics metrics) {
        return new RequestPath(null, metrics, stages);
    }

    /** What every request shares: routing state, metrics, parser. */
    public ProxyContext context() {
        return context;
    }

    /** Tracing of the requests on this path (off unless configured). */
    public Tracing tracing() {
        return tracing;
    }

    /** The stages' names, in order. */
    public List<String> stageNames() {
        return stages.stream().map(RequestStage::name).toList();
    }

    /**
     * A new inference request, not started yet: the owner keeps it as its current request before {@link #start}, which
     * may end it (and let the owner go on to its next request) before returning. It owns {@code http} from now on.
     */
    public GatewayRequest newRequest(ChannelHandlerContext ctx, FullHttpRequest http, ExchangeOwner owner,
                                     boolean keepAlive, ApiKind kind, long startNanos) {
        return new GatewayRequest(ctx, http, owner, metrics, this, keepAlive, kind, startNanos);
    }

    /**
     * A new inference request from {@code client} (an ext_proc stream), not started yet; it owns {@code http} (the
     * request as the data plane described it) from now on.
     */
    public GatewayRequest newRequest(ClientSide client, FullHttpRequest http, ApiKind kind, long startNanos) {
        return new GatewayRequest(client, null, http, metrics, this, false, kind, startNanos);
    }

    /** Runs the request's stages from the first; on its client side's event loop. */
    public void start(GatewayRequest request) {
        advance(request);
    }

    void advance(GatewayRequest request) {
        while (!request.isEnded() && request.nextStage < stages.size()) {
            if (request.isClientGone()) {
                request.end(false);
                return;
            }
            int index = request.nextStage++;
            RequestStage stage = stages.get(index);
            if (traced[index]) {
                request.trace().stageStarted(stage.name());
            }
            StageResult result;
            try {
                result = stage.apply(request);
            } catch (RuntimeException e) {
                // a bug in one stage answers this request with a 500; it never takes the connection down silently
                log.error("stage {} failed on a request for {}", stage.name(), request.modelLabel(), e);
                // the exception's text stays in the log: it may name internal classes
                request.replyLocally(OpenAiError.internal("internal error in the gateway's " + stage.name()
                        + " stage (logged)"));
                return;
            }
            switch (result) {
                case StageResult.Next next -> {
                    if (traced[index]) {
                        request.trace().stageEnded();
                    }
                }
                case StageResult.Reply reply -> {
                    request.replyLocally(reply.error());
                    return;
                }
                case StageResult.Suspended suspended -> {
                    return;
                }
            }
        }
    }
}
