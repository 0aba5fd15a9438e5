package dev.jetway.gateway.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HealthCheckSettings;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.OutlierDetectionSettings;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.upstream.UpstreamPools;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Envoy's ejection semantics on a clock the test turns: counts, growing ejections, decay, limits, re-admission. */
class OutlierDetectorTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(100 * SECOND);
    private final GatewayMetrics metrics = new GatewayMetrics();

    /** consecutive5xx 5, consecutiveGatewayFailure 3, interval 10 s, base 30 s, max 100 s. */
    private OutlierDetector detector(Integer maxEjectionPercent, boolean checks) {
        return new OutlierDetector("p", new OutlierDetectionSettings(null, null, null, null, null,
                Duration.ofSeconds(100), maxEjectionPercent, null, null),
                new HealthCheckSettings(checks, null, null, null, null, null), new OutlierMetrics(metrics, "p"),
                clock::get);
    }

    /** {@code n} endpoints, each past its first check. */
    private static List<EndpointStanding> endpoints(OutlierDetector d, int n) {
        List<EndpointStanding> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String address = "10.0.0." + (i + 1) + ":8000";
            GatewayEndpoint e = new GatewayEndpoint(new EndpointConfig(address, null, null, null, null), 3,
                    new UpstreamPools(HostPort.parse(address), NioSocketChannel.class, UpstreamSettings.defaults()));
            EndpointStanding s = d.standing(e, true);
            e.standing(s);
            if (!s.checked()) {
                d.checkPassed(s);
            }
            out.add(s);
        }
        return out;
    }

    private void gatewayFailures(OutlierDetector d, EndpointStanding s, int n) {
        for (int i = 0; i < n; i++) {
            d.gatewayFailure(s, "timeout");
        }
    }

    private void advance(long seconds) {
        clock.addAndGet(seconds * SECOND);
    }

    @Test
    void failuresInARowEjectAndASuccessStartsTheCountAgain() {
        OutlierDetector d = detector(null, true);
        EndpointStanding a = endpoints(d, 3).getFirst();
        gatewayFailures(d, a, 2);
        d.succeeded(a);
        gatewayFailures(d, a, 2);
        assertThat(a.routable()).isTrue();
        d.gatewayFailure(a, "reset");
        assertThat(a.routable()).isFalse();
        assertThat(a.reason()).isEqualTo(EjectionReason.CONSECUTIVE_GATEWAY_FAILURE);
        assertThat(a.ejectedUntilNanos - clock.get()).isEqualTo(30 * SECOND);
    }

    @Test
    void a500CountsTowardsConsecutive5xxOnlyWhileA503IsAGatewayFailureToo() {
        OutlierDetector d = detector(null, true);
        List<EndpointStanding> e = endpoints(d, 3);
        for (int i = 0; i < 4; i++) {
            d.serverError(e.get(0), 500);
        }
        assertThat(e.get(0).routable()).isTrue();
        d.serverError(e.get(0), 500);
        assertThat(e.get(0).reason()).isEqualTo(EjectionReason.CONSECUTIVE_5XX);

        for (int i = 0; i < 3; i++) {
            d.serverError(e.get(1), 503);
        }
        assertThat(e.get(1).reason()).isEqualTo(EjectionReason.CONSECUTIVE_GATEWAY_FAILURE);
    }

    @Test
    void theNthEjectionLastsNTimesTheBaseUpToTheMaximumAndTimeInRotationTakesItBackDown() {
        OutlierDetector d = detector(null, true);
        EndpointStanding a = endpoints(d, 3).getFirst();
        long[] lengths = new long[4];
        for (int n = 0; n < 4; n++) {
            gatewayFailures(d, a, 3);
            lengths[n] = (a.ejectedUntilNanos - clock.get()) / SECOND;
            advance(lengths[n]);
            d.checkPassed(a);
            assertThat(a.routable()).isTrue();
        }
        assertThat(lengths).containsExactly(30, 60, 90, 100);
        // 4 in a row so far; two intervals (10 s each) in rotation take it down to 2, so the next is the 3rd
        advance(20);
        gatewayFailures(d, a, 3);
        assertThat((a.ejectedUntilNanos - clock.get()) / SECOND).isEqualTo(90);
        // a long healthy spell forgets them all
        advance(90);
        d.checkPassed(a);
        advance(1000);
        gatewayFailures(d, a, 3);
        assertThat((a.ejectedUntilNanos - clock.get()) / SECOND).isEqualTo(30);
    }

    @Test
    void anEjectedEndpointComesBackOnlyAtAPassedCheckAfterItsTime() {
        OutlierDetector d = detector(null, true);
        EndpointStanding a = endpoints(d, 2).getFirst();
        gatewayFailures(d, a, 3);
        advance(29);
        d.checkPassed(a);
        assertThat(a.routable()).isFalse();
        advance(1);
        d.checkFailed(a, "HTTP 503");
        assertThat(a.routable()).isFalse();
        d.checkPassed(a);
        assertThat(a.routable()).isTrue();
    }

    @Test
    void withChecksOffTimeAloneBringsItBackAndNewEndpointsNeedNoCheck() {
        OutlierDetector d = detector(null, false);
        EndpointStanding a = endpoints(d, 2).getFirst();
        assertThat(a.checked()).isTrue();
        gatewayFailures(d, a, 3);
        advance(30);
        d.readmitIfDue(a);
        assertThat(a.routable()).isTrue();
    }

    @Test
    void theLastEndpointInRotationIsNeverEjected() {
        OutlierDetector d = detector(null, true);
        List<EndpointStanding> e = endpoints(d, 2);
        gatewayFailures(d, e.get(0), 3);
        gatewayFailures(d, e.get(1), 10);
        assertThat(e.get(0).routable()).isFalse();
        assertThat(e.get(1).routable()).isTrue();
        assertThat(metrics.scrape()).contains("jetway_pool_ejections_refused_total{name=\"p\"} 3.0");
    }

    @Test
    void maxEjectionPercentCapsEjectionsButOneMayAlwaysGo() {
        OutlierDetector d = detector(50, true);
        List<EndpointStanding> e = endpoints(d, 4);
        gatewayFailures(d, e.get(0), 3);
        gatewayFailures(d, e.get(1), 3);
        gatewayFailures(d, e.get(2), 3);
        assertThat(e.stream().filter(EndpointStanding::ejected).count()).isEqualTo(2);

        OutlierDetector tight = detector(10, true);
        List<EndpointStanding> f = endpoints(tight, 3);
        gatewayFailures(tight, f.get(0), 3);
        gatewayFailures(tight, f.get(1), 3);
        assertThat(f.get(0).ejected()).isTrue(); // 33 % > 10 %, but one may always be ejected
        assertThat(f.get(1).ejected()).isFalse();
    }

    @Test
    void aNewEndpointIsNotRoutableUntilItsFirstCheckPassesAndFailedChecksInRotationCount() {
        OutlierDetector d = detector(null, true);
        List<EndpointStanding> e = endpoints(d, 2);
        String address = "10.0.0.9:8000";
        GatewayEndpoint fresh = new GatewayEndpoint(new EndpointConfig(address, null, null, null, null), 3,
                new UpstreamPools(HostPort.parse(address), NioSocketChannel.class, UpstreamSettings.defaults()));
        EndpointStanding s = d.standing(fresh, false);
        assertThat(s.routable()).isFalse();
        d.checkFailed(s, "no answer");
        d.checkFailed(s, "no answer");
        d.checkFailed(s, "no answer");
        assertThat(s.ejected()).isFalse(); // never in rotation: nothing to eject
        d.checkPassed(s);
        assertThat(s.routable()).isTrue();

        d.checkFailed(e.get(0), "no answer");
        d.checkFailed(e.get(0), "no answer");
        d.checkFailed(e.get(0), "no answer");
        assertThat(e.get(0).reason()).isEqualTo(EjectionReason.CONSECUTIVE_GATEWAY_FAILURE);
    }

    @Test
    void aStartingPoolsEndpointsTakeTrafficAtOnceAndLeaveRotationWhenTheirFirstCheckFails() {
        OutlierDetector d = detector(null, true);
        String address = "10.0.0.1:8000";
        GatewayEndpoint e = new GatewayEndpoint(new EndpointConfig(address, null, null, null, null), 3,
                new UpstreamPools(HostPort.parse(address), NioSocketChannel.class, UpstreamSettings.defaults()));
        EndpointStanding s = d.standing(e, true);
        assertThat(s.routable()).isTrue();
        assertThat(s.checked()).isFalse();
        d.checkFailed(s, "HTTP 503");
        assertThat(s.routable()).isFalse();
        assertThat(s.consecutiveGatewayFailures).isZero(); // not a failure in rotation: it was never confirmed
        d.checkPassed(s);
        assertThat(s.routable()).isTrue();
        assertThat(s.checked()).isTrue();
    }

    @Test
    void aStreamFarSlowerPerTokenThanItsPeersIsEjectedButNotOneMerelyAFewMillisecondsSlow() {
        OutlierDetector d = detector(null, true);
        List<EndpointStanding> e = endpoints(d, 3);
        for (int i = 0; i < 3; i++) {
            d.pace(e.get(0), 0.010);
            d.pace(e.get(1), 0.012);
            d.pace(e.get(2), 0.060); // 5.5× but under tpotOutlierMin (100 ms): noise among fast replicas
        }
        assertThat(e.get(2).routable()).isTrue();
        for (int i = 0; i < 3; i++) {
            d.pace(e.get(2), 5.0);
        }
        assertThat(e.get(2).reason()).isEqualTo(EjectionReason.TPOT_OUTLIER);
        assertThat(e.get(0).routable()).isTrue();
    }

    @Test
    void outlierDetectionOffEjectsNothing() {
        OutlierDetector d = new OutlierDetector("p", new OutlierDetectionSettings(false, null, null, null, null, null,
                null, null, null), HealthCheckSettings.defaults(), new OutlierMetrics(metrics, "q"), clock::get);
        EndpointStanding a = endpoints(d, 3).getFirst();
        gatewayFailures(d, a, 20);
        assertThat(a.routable()).isTrue();
    }
}
