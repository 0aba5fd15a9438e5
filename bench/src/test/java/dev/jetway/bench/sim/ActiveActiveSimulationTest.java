package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.GatewayReport;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.SharedPrefixWorkload;
import dev.jetway.engine.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several gateway replicas in the what-if simulator: agreement with a single gateway, the kill, the exchange. */
class ActiveActiveSimulationTest {

    private static final EngineConfig QWEN = EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64);
    private static final long KILL_AT = 12_000_000_000L;

    private static RequestPlan plan() {
        SharedPrefixWorkload w = new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(24, 4, IntDistribution.of(2000),
                IntDistribution.of(200), IntDistribution.of(20), 7, false));
        return RequestPlan.build(w, LoadProfile.poisson(new LoadStage(6, 12), new LoadStage(6, 12)), 0);
    }

    private static List<PolicyReport> run(Gateways gateways) throws InterruptedException {
        return new WhatIfSimulator(SimulationOptions.of(4, QWEN).withGateways(gateways)).run(plan(),
                List.of(SimPolicy.of("approximate")), 1, WhatIfSimulator.Progress.NONE);
    }

    @Test
    void eachPolicyRunsAloneAndWithItsGatewaysAndReportsBothPhases() throws Exception {
        List<PolicyReport> reports = run(new Gateways(2, KILL_AT, Gateways.Spread.RANDOM, null));
        assertThat(reports).extracting(PolicyReport::policy).containsExactly("approximate@1gw", "approximate@2gw");
        GatewayReport alone = reports.get(0).gateways();
        GatewayReport two = reports.get(1).gateways();
        assertThat(alone.gateways()).isEqualTo(1);
        assertThat(alone.before().agreement()).isNull();
        assertThat(two.killAtS()).isEqualTo(12.0);
        assertThat(two.before().decisions() + two.after().decisions()).isEqualTo(plan().requests().size());
        assertThat(two.before().agreement()).isBetween(0.0, 1.0);
        // the same requests: the single gateway's phases count the same decisions
        assertThat(alone.before().decisions() + alone.after().decisions()).isEqualTo(plan().requests().size());
    }

    @Test
    void aGatewayAloneFromTheStartAgreesWithTheShadowButForTies() throws Exception {
        // killed at 0: every request goes to the survivor, which then knows exactly what the shadow knows
        GatewayReport g = run(new Gateways(2, 0, Gateways.Spread.RANDOM, null)).get(1).gateways();
        assertThat(g.before().decisions()).isZero();
        assertThat(g.after().agreement()).isGreaterThan(0.9); // random tie-breaks differ on a small idle pool
        assertThat(g.after().runAgreement()).isEqualTo(1.0); // gateway 0 has the single gateway's seed
    }

    @Test
    void exchangingRoutingHistoryMakesTheGatewaysDecideAsOne() throws Exception {
        GatewayReport apart = run(new Gateways(2, -1, Gateways.Spread.ROUND_ROBIN, null)).get(1).gateways();
        GatewayReport synced = run(new Gateways(2, -1, Gateways.Spread.ROUND_ROBIN,
                new PeerExchange(100_000_000L, 5_000_000L, 1_000_000_000L))).get(1).gateways();
        assertThat(synced.peerSync()).isEqualTo("every 100 ms, delay 5 ms");
        assertThat(synced.before().agreement()).isGreaterThan(apart.before().agreement());
        assertThat(synced.before().agreement()).isGreaterThan(0.9);
    }

    @Test
    void severalGatewaysAreRefusedWhereTheyAreNotModelled() {
        assertThatThrownBy(() -> new Gateways(1, 5, Gateways.Spread.RANDOM, null))
                .hasMessageContaining("survivor");
        SimPolicy flowControlled = SimPolicy.of("approximate");
        Admission.Factory holding = context -> ticket -> ticket.dispatch();
        assertThatThrownBy(() -> new WhatIfSimulator(SimulationOptions.of(2, QWEN).withAdmission(holding)
                .withGateways(new Gateways(2, -1, Gateways.Spread.RANDOM, null))).run(plan(),
                List.of(flowControlled), 1, WhatIfSimulator.Progress.NONE))
                .hasMessageContaining("flow control");
    }
}
