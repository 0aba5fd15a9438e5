package dev.jetway.sim.http;

import dev.jetway.engine.KvTransfer;
import dev.jetway.sim.SimRole;

import dev.jetway.engine.EngineRequest;
import dev.jetway.sim.fault.FaultInjector;
import dev.jetway.sim.metrics.PrometheusText;
import dev.jetway.sim.openai.ApiError;
import dev.jetway.sim.openai.ApiKind;
import dev.jetway.sim.openai.GenerationRequest;
import dev.jetway.sim.openai.ResponseJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves one client connection of a replica: routes each request, answers errors in OpenAI's shape, and runs at
 * most one generation at a time (HTTP/1.1 answers in order; pipelined requests wait their turn). Closing the
 * connection aborts its generation in the engine.
 */
final class SimHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(SimHttpHandler.class);

    private final ReplicaServices services;
    private final ArrayDeque<HttpCall> pipelined = new ArrayDeque<>();
    private GenerationSession active;
    private ChannelHandlerContext ctx;

    SimHttpHandler(ReplicaServices services) {
        this.services = services;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long arrival = System.nanoTime();
        if (request.decoderResult().isFailure()) {
            Responses.error(ctx, services.json(), ApiError.badRequest("Malformed HTTP request: "
                    + request.decoderResult().cause().getMessage(), null), false);
            return;
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        HttpCall call = new HttpCall(request.method(), query < 0 ? uri : uri.substring(0, query),
                request.headers().get(FaultInjector.RETURN_ERROR_HEADER), ByteBufUtil.getBytes(request.content()),
                HttpUtil.isKeepAlive(request),
                arrival);
        if (active != null) {
            pipelined.add(call);
        } else {
            handle(call);
        }
    }

    private void handle(HttpCall call) {
        try {
            route(call);
        } catch (ApiError.Exception e) {
            Responses.error(ctx, services.json(), e.error(), call.keepAlive());
        } catch (RuntimeException e) {
            log.error("request {} {} failed", call.method(), call.path(), e);
            Responses.error(ctx, services.json(), new ApiError(500, "InternalServerError",
                    "Internal error: " + e, null), call.keepAlive());
        }
    }

    private void route(HttpCall call) {
        switch (call.path()) {
            case "/v1/completions" -> generate(call, ApiKind.COMPLETIONS);
            case "/v1/chat/completions" -> generate(call, ApiKind.CHAT);
            case "/health" -> {
                requireMethod(call, HttpMethod.GET);
                Responses.send(ctx, HttpResponseStatus.OK, call.keepAlive(), Unpooled.EMPTY_BUFFER, null);
            }
            case "/v1/models" -> {
                requireMethod(call, HttpMethod.GET);
                Responses.json(ctx, HttpResponseStatus.OK, call.keepAlive(),
                        out -> services.json().writeModels(out, services.catalog()));
            }
            case "/metrics" -> {
                requireMethod(call, HttpMethod.GET);
                String text = services.prometheus().render(services.loop().snapshot(), services.metrics(),
                        System.currentTimeMillis());
                ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), text);
                Responses.send(ctx, HttpResponseStatus.OK, call.keepAlive(), body, PrometheusText.CONTENT_TYPE);
            }
            case "/tokenize" -> {
                requireMethod(call, HttpMethod.POST);
                int[] tokens = services.parser().parseTokenize(call.body());
                Responses.json(ctx, HttpResponseStatus.OK, call.keepAlive(), out -> services.json()
                        .writeTokenize(out, tokens, services.catalog().maxModelLen()));
            }
            default -> throw new ApiError(404, "NotFoundError", "No route for " + call.path(), null).asException();
        }
    }

    private static void requireMethod(HttpCall call, HttpMethod expected) {
        if (!call.method().equals(expected)) {
            throw new ApiError(405, "MethodNotAllowed", call.method() + " is not allowed on " + call.path()
                    + "; use " + expected, null).asException();
        }
    }

    private void generate(HttpCall call, ApiKind kind) {
        requireMethod(call, HttpMethod.POST);
        ApiError injected = services.faults().injectedFailure(call.returnError(), services.catalog().baseModel());
        if (injected != null) {
            throw injected.asException();
        }
        GenerationRequest request = services.parser().parseGeneration(kind, call.body());
        refuseOtherRolesLeg(request);
        String id = kind.idPrefix() + randomHex();
        ResponseJson.ResponseHead head = new ResponseJson.ResponseHead(kind, id, System.currentTimeMillis() / 1000,
                request.model());
        GenerationSession session = new GenerationSession(ctx, services, request, head, call.arrivalNanos(),
                call.keepAlive(), this::responseComplete);
        active = session;
        services.loop().submit(new EngineRequest(id, request.promptTokens(), request.maxTokens(),
                request.minTokens(), request.ignoreEos(), request.loraName(), request.cacheSalt(),
                request.kvTransfer(), request.priority()), session, call.arrivalNanos(), session);
    }

    /** A prefill replica does not decode a split request, nor a decode replica prefill one for another. */
    private void refuseOtherRolesLeg(GenerationRequest request) {
        SimRole role = services.role();
        if (role == SimRole.PREFILL && request.kvTransfer() instanceof KvTransfer.DecodeAfterRemotePrefill) {
            throw ApiError.badRequest("this replica serves the prefill role (--role prefill): send the decode leg "
                    + "(kv_transfer_params.do_remote_prefill) to a decode replica", "kv_transfer_params").asException();
        }
        if (role == SimRole.DECODE && request.kvTransfer() instanceof KvTransfer.PrefillForRemoteDecode) {
            throw ApiError.badRequest("this replica serves the decode role (--role decode): send the prefill leg "
                    + "(kv_transfer_params.do_remote_decode) to a prefill replica", "kv_transfer_params").asException();
        }
    }

    private void responseComplete() {
        active = null;
        for (HttpCall next; active == null && (next = pipelined.poll()) != null; ) {
            handle(next);
        }
    }

    private static String randomHex() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (active != null) {
            active.cancel();
            active = null;
        }
        pipelined.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
