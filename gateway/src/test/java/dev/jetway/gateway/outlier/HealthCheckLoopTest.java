package dev.jetway.gateway.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HealthCheckSettings;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.OutlierDetectionSettings;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.upstream.UpstreamPools;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a check is due, what it sends and what its outcome does, one step at a time on a clock the test turns. */
class HealthCheckLoopTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(100 * SECOND);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private FakeModelServer server;
    private FakeModelServer peer;

    @AfterEach
    void stop() throws Exception {
        http.close();
        server.close();
        peer.close();
    }

    /** The loop of {@code server}'s endpoint in a pool with {@code peer}, both past their first check. */
    private HealthCheckLoop loop(CheckBudget budget) throws Exception {
        server = new FakeModelServer("s");
        peer = new FakeModelServer("peer");
        OutlierDetector d = new OutlierDetector("p", OutlierDetectionSettings.defaults(),
                new HealthCheckSettings(null, null, null, Duration.ofSeconds(10), Duration.ofSeconds(1),
                        Duration.ofMillis(1500)),
                new OutlierMetrics(new GatewayMetrics(), "p"), clock::get, budget);
        d.configure(OutlierDetectionSettings.defaults(), d.checks(), List.of("m"));
        EndpointStanding other = d.standing(endpoint(peer), true);
        d.checkPassed(other);
        EndpointStanding s = d.standing(endpoint(server), false); // joins a pool that serves
        d.transport(http, "http", pool -> null);
        return new HealthCheckLoop(s);
    }

    private static GatewayEndpoint endpoint(FakeModelServer f) {
        GatewayEndpoint e = new GatewayEndpoint(new EndpointConfig(f.address(), null, null, null, null), 3,
                new UpstreamPools(HostPort.parse(f.address()), NioSocketChannel.class, UpstreamSettings.defaults()));
        return e;
    }

    @Test
    void aNewEndpointIsCheckedAtOnceWithAOneTokenCompletionAndEntersRotationWhenItPasses() throws Exception {
        HealthCheckLoop loop = loop(CheckBudget.NONE);
        EndpointStanding s = loopStanding(loop);
        assertThat(s.routable()).isFalse();
        assertThat(loop.step()).isEqualTo(10 * SECOND);
        assertThat(server.healthChecks.get()).isEqualTo(1);
        assertThat(s.routable()).isTrue();
        assertThat(HealthCheckLoop.body(new HealthCheckSettings(null, null, null, null, null, null), "m"))
                .isEqualTo("{\"model\":\"m\",\"prompt\":\"Hi\",\"max_tokens\":1,\"stream\":false}");
        assertThat(HealthCheckLoop.body(new HealthCheckSettings(null, "/v1/chat/completions", null, null, null, null),
                null)).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":1,"
                + "\"stream\":false}");
    }

    @Test
    void anEndpointInRotationIsCheckedOnlyWhenQuietAndSoonerAfterAFailedCheck() throws Exception {
        HealthCheckLoop loop = loop(CheckBudget.NONE);
        EndpointStanding s = loopStanding(loop);
        loop.step(); // first check passes
        clock.addAndGet(4 * SECOND);
        s.detector.succeeded(s); // a request answered
        clock.addAndGet(3 * SECOND);
        assertThat(loop.step()).isEqualTo(7 * SECOND); // 10 s after that answer
        assertThat(server.healthChecks.get()).isEqualTo(1);

        clock.addAndGet(7 * SECOND);
        server.mode = FakeModelServer.Mode.FAIL_503;
        assertThat(loop.step()).isEqualTo(SECOND); // failed: again after unhealthyInterval
        assertThat(s.consecutiveGatewayFailures).isEqualTo(1);
        clock.addAndGet(SECOND);
        loop.step();
        clock.addAndGet(SECOND);
        loop.step();
        assertThat(s.ejected()).isTrue(); // three failed checks in a row
        assertThat(server.healthChecks.get()).isEqualTo(4);
        // ejected: nothing until its 30 s are over, then checks until one passes
        assertThat(loop.step()).isEqualTo(30 * SECOND);
        clock.addAndGet(30 * SECOND);
        server.mode = FakeModelServer.Mode.OK;
        loop.step();
        assertThat(s.routable()).isTrue();
    }

    @Test
    void aCheckWaitsAsLongAsTheLatencyModelExpectsTheEndpointsQueueToTakeWhenThatIsLonger() throws Exception {
        HealthCheckLoop loop = loop((pool, e) -> 2 * SECOND);
        EndpointStanding s = loopStanding(loop);
        loop.step();
        clock.addAndGet(10 * SECOND);
        server.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD;
        loop.step();
        assertThat(s.lastCheckError).isEqualTo("no answer within 2000 ms"); // not the 1500 ms timeout
        assertThat(s.consecutiveGatewayFailures).isEqualTo(1);
    }

    private static EndpointStanding loopStanding(HealthCheckLoop loop) {
        return loop.standing();
    }
}
