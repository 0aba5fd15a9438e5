package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.PrioritySummary;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.engine.EngineConfig;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A policy with {@code requestHandler.propagatePriority} in the what-if simulator: requests carry their priority
 * into engines that run vLLM's priority scheduling, so a critical request overtakes batch work queued in the engine.
 */
class PriorityPropagationSimulationTest {

    /** Two running requests at most: everything else queues in the engine, where the policy decides the order. */
    private static final EngineConfig QWEN = EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64)
            .withMaxNumSeqs(2);

    private static final TrafficMix TIERS = new TrafficMix(List.of(
            TrafficClass.of("critical", 0.2, "tenant-a", "critical", 10),
            TrafficClass.of("batch", 0.8, "tenant-a", "batch", -1)), 42);

    private static SimPolicy policy(String name, boolean propagate) {
        EndpointPickerConfig config = EndpointPickerConfig.parse("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins: [{type: random-picker}]
                requestHandler: {propagatePriority: %s}
                """.formatted(propagate), name);
        return new SimPolicy(name, (env, endpoints, options) ->
                new SimPolicy.Instance(Scheduler.fromConfig(config, env), null));
    }

    private static PrioritySummary critical(PolicyReport report) {
        return report.traffic().priorities().stream().filter(p -> p.priority() == 10).findFirst().orElseThrow();
    }

    @Test
    void criticalRequestsOvertakeQueuedBatchWorkOnlyWhenThePriorityIsPropagated() {
        // 200 requests over 10 s at 50 output tokens each: far more than two running slots serve, so queues build
        RequestPlan plan = RequestPlan.build(new RandomWorkload(IntDistribution.of(500), IntDistribution.of(50), 0, 1),
                LoadProfile.constant(new LoadStage(20, 10)), 0, TIERS);
        WhatIfSimulator sim = new WhatIfSimulator(SimulationOptions.of(1, QWEN));
        PolicyReport fcfs = sim.runOne(plan, policy("fcfs", false), WhatIfSimulator.Progress.NONE);
        PolicyReport byPriority = sim.runOne(plan, policy("priority", true), WhatIfSimulator.Progress.NONE);

        // nothing refused: the engines of the propagating policy schedule by priority (vLLM would answer 400 otherwise)
        assertThat(fcfs.summary().completed()).isEqualTo(200);
        assertThat(byPriority.summary().completed()).isEqualTo(200);
        // first come first served, the critical tier waits behind the queue like everyone; by priority it does not
        assertThat(critical(fcfs).ttftP90S()).isGreaterThan(5.0);
        assertThat(critical(byPriority).ttftP90S()).isLessThan(critical(fcfs).ttftP90S() / 5);
    }
}
