package dev.jetway.gateway.path;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.proxy.ExchangeOwner;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.scheduler.latency.SloTargets;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request path's stages one by one, and the request's life: one local reply, suspension, the client leaving. */
class RequestPathTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final List<Boolean> done = new ArrayList<>();
    private final ExchangeOwner owner = done::add;

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest http(HttpMethod method, String body, Map<String, String> headers) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/v1/completions",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set("content-type", "application/json");
        headers.forEach((k, v) -> r.headers().add(k, v));
        return r;
    }

    private GatewayRequest request(RequestPath path, FullHttpRequest http) {
        return new GatewayRequest(ctx, http, owner, metrics, path, true, ApiKind.COMPLETIONS, System.nanoTime());
    }

    private GatewayRequest request(FullHttpRequest http) {
        return request(null, http);
    }

    private FullHttpResponse response() {
        FullHttpResponse r = channel.readOutbound();
        assertThat(r).as("a response was written").isNotNull();
        return r;
    }

    @Test
    void validateRefusesOtherMethodsAndNonJsonBodies() {
        ValidateStage stage = new ValidateStage();
        assertThat(stage.apply(request(http(HttpMethod.POST, "{}", Map.of())))).isEqualTo(StageResult.NEXT);
        assertThat(stage.apply(request(http(HttpMethod.GET, "", Map.of()))))
                .isInstanceOfSatisfying(StageResult.Reply.class, r -> assertThat(r.error().status()).isEqualTo(405));
        FullHttpRequest text = http(HttpMethod.POST, "{}", Map.of());
        text.headers().set("content-type", "text/plain");
        assertThat(stage.apply(request(text)))
                .isInstanceOfSatisfying(StageResult.Reply.class, r -> assertThat(r.error().status()).isEqualTo(415));
        FullHttpRequest vendorJson = http(HttpMethod.POST, "{}", Map.of());
        vendorJson.headers().set("content-type", "application/vnd.api+json; charset=utf-8");
        assertThat(stage.apply(request(vendorJson))).isEqualTo(StageResult.NEXT);
    }

    @Test
    void parseNamesTheBadField() {
        ParseStage stage = new ParseStage(new RequestParser(1 << 20));
        GatewayRequest good = request(http(HttpMethod.POST, "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of()));
        assertThat(stage.apply(good)).isEqualTo(StageResult.NEXT);
        assertThat(good.parsed().model()).isEqualTo("m");
        assertThat(good.modelLabel()).isEqualTo("m");

        StageResult bad = stage.apply(request(http(HttpMethod.POST, "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":3}",
                Map.of())));
        assertThat(bad).isInstanceOfSatisfying(StageResult.Reply.class, r -> {
            assertThat(r.error().status()).isEqualTo(400);
            assertThat(r.error().param()).isEqualTo("stream");
        });
    }

    @Test
    void identifyReadsObjectiveFairnessAndSloWithTheCanonicalHeaderWinning() {
        AdmissionSettings admission = new AdmissionSettings(Map.of("batch", -1, "chat", 10), null, null, null);
        IdentifyStage stage = new IdentifyStage(() -> admission);

        GatewayRequest plain = request(http(HttpMethod.POST, "{}", Map.of()));
        assertThat(stage.apply(plain)).isEqualTo(StageResult.NEXT);
        assertThat(plain.identity()).isEqualTo(new RequestIdentity(null, 0, "default-flow", SloTargets.NONE));

        GatewayRequest legacy = request(http(HttpMethod.POST, "{}", Map.of(
                "x-gateway-inference-objective", "batch", "x-gateway-inference-fairness-id", "tenant-a")));
        stage.apply(legacy);
        assertThat(legacy.identity().priority()).isEqualTo(-1);
        assertThat(legacy.identity().sheddable()).isTrue();
        assertThat(legacy.identity().fairnessId()).isEqualTo("tenant-a");

        GatewayRequest both = request(http(HttpMethod.POST, "{}", Map.of(
                "x-llm-d-inference-objective", "chat", "x-gateway-inference-objective", "batch",
                "x-llm-d-inference-fairness-id", "tenant-b", "x-gateway-inference-fairness-id", "tenant-a",
                "x-llm-d-slo-ttft-ms", "250")));
        stage.apply(both);
        assertThat(both.identity()).isEqualTo(new RequestIdentity("chat", 10, "tenant-b", new SloTargets(0.25, 0)));

        StageResult bad = stage.apply(request(http(HttpMethod.POST, "{}", Map.of("x-slo-tpot-ms", "fast"))));
        assertThat(bad).isInstanceOfSatisfying(StageResult.Reply.class, r -> {
            assertThat(r.error().status()).isEqualTo(400);
            assertThat(r.error().param()).isEqualTo("x-slo-tpot-ms");
        });
    }

    @Test
    void aLocalReplyIsWrittenOnceCountedAndEndsTheRequest() {
        FullHttpRequest http = http(HttpMethod.POST, "{}", Map.of());
        GatewayRequest r = request(http);
        r.replyLocally(OpenAiError.shed("full", "rejected-saturated"));
        r.replyLocally(OpenAiError.internal("second"));
        FullHttpResponse response = response();
        assertThat(response.status().code()).isEqualTo(429);
        assertThat(response.headers().get("x-llm-d-request-dropped-reason")).isEqualTo("rejected-saturated");
        assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("\"code\":\"rate_limit_exceeded\"");
        response.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(done).containsExactly(true);
        assertThat(http.refCnt()).isZero();
        assertThat(metrics.registry().find("llm_d_epp_request_error").tag("error_code", "429").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void aStageThatThrowsAnswers500AndLaterStagesDoNotRun() {
        List<String> ran = new ArrayList<>();
        RequestPath path = RequestPath.of(List.of(
                stage("first", r -> { ran.add("first"); return StageResult.NEXT; }),
                stage("broken", r -> { throw new IllegalStateException("boom"); }),
                stage("never", r -> { ran.add("never"); return StageResult.NEXT; })), metrics);
        GatewayRequest r = request(path, http(HttpMethod.POST, "{}", Map.of()));
        path.start(r);
        FullHttpResponse response = response();
        assertThat(response.status().code()).isEqualTo(500);
        // the stage is named; the exception's text stays in the log
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .contains("internal error in the gateway's broken stage").doesNotContain("boom");
        response.release();
        assertThat(ran).containsExactly("first");
        assertThat(r.isEnded()).isTrue();
    }

    @Test
    void aSuspendedRequestResumesWhereItStopped() {
        List<String> ran = new ArrayList<>();
        GatewayRequest[] held = new GatewayRequest[1];
        RequestPath path = RequestPath.of(List.of(
                stage("wait", r -> { held[0] = r; ran.add("wait"); return StageResult.SUSPENDED; }),
                stage("answer", r -> StageResult.reply(OpenAiError.notFound("nope", "x")))), metrics);
        GatewayRequest r = request(path, http(HttpMethod.POST, "{}", Map.of()));
        path.start(r);
        assertThat((Object) channel.readOutbound()).isNull();
        held[0].resume();
        channel.runPendingTasks();
        FullHttpResponse response = response();
        assertThat(response.status().code()).isEqualTo(404);
        response.release();
        assertThat(ran).containsExactly("wait");
    }

    @Test
    void aClientLeavingWhileSuspendedRunsTheStagesCancelAndEndsOnResume() {
        List<String> ran = new ArrayList<>();
        RequestPath path = RequestPath.of(List.of(
                stage("wait", r -> { r.onClientGone(() -> ran.add("cancelled")); return StageResult.SUSPENDED; }),
                stage("never", r -> { ran.add("never"); return StageResult.NEXT; })), metrics);
        FullHttpRequest http = http(HttpMethod.POST, "{}", Map.of());
        GatewayRequest r = request(path, http);
        path.start(r);
        r.clientGone();
        assertThat(ran).containsExactly("cancelled");
        assertThat(r.isEnded()).isFalse(); // the stage's work may still hold the request
        r.resume();
        assertThat(ran).containsExactly("cancelled");
        assertThat(r.isEnded()).isTrue();
        assertThat(http.refCnt()).isZero();
        assertThat(done).containsExactly(false);
        assertThat(metrics.registry().find("jetway_client_disconnects").counter().count()).isEqualTo(1.0);
    }

    @Test
    void theGatewayPathHasTheDocumentedStagesInOrder() {
        assertThat(RequestPath.STAGE_NAMES).containsExactly("audit", "validate", "authenticate", "parse", "authorize",
                "identify", "guard", "rate-limit", "resolve-pool", "admit", "tokenize", "schedule", "prefill", "proxy");
    }

    private static RequestStage stage(String name, java.util.function.Function<GatewayRequest, StageResult> body) {
        return new RequestStage() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public StageResult apply(GatewayRequest request) {
                return body.apply(request);
            }
        };
    }
}
