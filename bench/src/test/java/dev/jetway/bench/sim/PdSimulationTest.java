package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageInfo;
import dev.jetway.bench.metrics.PdSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.JsonReport;
import dev.jetway.bench.report.MarkdownReport;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.engine.EngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Split (P/D) requests in the what-if simulator: two legs, the KV hand-over, and what happens without prefillers. */
class PdSimulationTest {

    private static final EngineConfig LLAMA = EngineConfig.defaults("llama-3.1-8b-h100").withBlockSize(16);
    /** llm-d's P/D guide's router: every request split. */
    private static final SimPolicy GUIDE = SimPolicy.of("../docs/workloads/pd-llmd-guide.yaml");

    @TempDir
    Path dir;

    /** {@code n} requests of {@code prompt} tokens and {@code output} tokens, {@code gapMillis} apart. */
    private static RequestPlan plan(int n, int prompt, int output, long gapMillis) {
        RandomWorkload w = new RandomWorkload(IntDistribution.of(prompt), IntDistribution.of(output), 0, 7);
        List<PlannedRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(new PlannedRequest(i * gapMillis * 1_000_000L, 0, w.request(i)));
        }
        return new RequestPlan(requests, List.of(new StageInfo(0, 1, 0, Math.max(1, n * gapMillis) * 1_000_000L, false)));
    }

    private static PolicyReport run(ClusterLayout pool, SimPolicy policy, RequestPlan plan) {
        return new WhatIfSimulator(SimulationOptions.of(pool)).runOne(plan, policy, WhatIfSimulator.Progress.NONE);
    }

    @Test
    void aSplitRequestPrefillsOnTheFirstPoolAndDecodesOnTheSecond() {
        PolicyReport r = run(ClusterLayout.pd(1, LLAMA, 1, LLAMA), GUIDE, plan(1, 2000, 20, 1000));
        assertThat(GUIDE.disaggregates()).isTrue();
        assertThat(r.summary().completed()).isEqualTo(1);
        PdSummary pd = r.pool().pd();
        assertThat(pd.split()).isEqualTo(1);
        assertThat(pd.decisions()).containsEntry("decode-only", 0L).containsEntry("no-prefill-endpoint", 0L);
        // each leg ran, and counted, where it belongs
        assertThat(r.replicas()).extracting(ReplicaSummary::requests).containsExactly(1L, 1L);
        // prefill leg: the 2,000-token prompt on the prefill engine (~0.1 s on one H100)
        assertThat(pd.prefillLeg().meanS()).isBetween(0.05, 0.2);
        // decode leg to its first token: the KV transfer (2,000 x 128 KiB over 50 GB/s = 5.2 ms) and one step
        assertThat(pd.decodeFirstToken().meanS()).isBetween(0.0052, 0.03);
        // the client's TTFT is the two added up (no time outside the engines here)
        assertThat(r.summary().ttftMeanS()).isCloseTo(pd.prefillLeg().meanS() + pd.decodeFirstToken().meanS(),
                within(0.001));
        assertThat(r.summary().e2eMeanS()).isCloseTo(pd.prefillLeg().meanS() + pd.decodeLeg().meanS(), within(0.001));
        assertThat(r.pool().layout()).isEqualTo("1P1D");
        assertThat(r.pool().gpus()).isEqualTo(2);
        assertThat(r.pool().outputTokensPerSPerGpu()).isEqualTo(r.summary().outputTokensPerS() / 2);
    }

    @Test
    void theBuiltInPdPoliciesDisaggregateAndThePlainOnesDoNot() {
        assertThat(SimPolicy.of("jetway-pd").disaggregates()).isTrue();
        assertThat(SimPolicy.of("pd").disaggregates()).isTrue();
        assertThat(SimPolicy.of("round-robin").disaggregates()).isFalse();
        assertThat(SimPolicy.of("jetway").disaggregates()).isFalse();
        PolicyReport r = run(ClusterLayout.pd(1, LLAMA, 1, LLAMA), SimPolicy.of("jetway-pd"), plan(6, 3000, 20, 100));
        assertThat(r.summary().completed()).isEqualTo(6);
        assertThat(r.pool().pd().decisions().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
    }

    @Test
    void thePrefillEnginesPinnedBlocksAreReleasedWhenTheDecodeLegStartsDecoding() {
        // A prefill engine of 10,000 tokens that would hold the prompt's blocks for an hour without NIXL's
        // notification; the decode leg then runs for ~2 s. Scraped every millisecond: the engine's gauges show the
        // pinned blocks from the end of the prefill step to the decode leg's first token, a few milliseconds.
        EngineConfig prefill = LLAMA.withKvCapacityTokens(10_000).withKvTransferWindow(Duration.ofHours(1));
        PolicyReport r = new WhatIfSimulator(SimulationOptions.of(ClusterLayout.pd(1, prefill, 1, LLAMA))
                .withScrapeInterval(1_000_000L)).runOne(plan(1, 2000, 400, 1000), GUIDE, WhatIfSimulator.Progress.NONE);
        ReplicaSummary prefillReplica = r.replicas().getFirst();
        assertThat(prefillReplica.kvUsageMax()).isGreaterThanOrEqualTo(0.2); // 2,000 of 10,000 tokens, pinned
        assertThat(prefillReplica.kvUsageMean()).isLessThan(0.02);          // and freed at the first token
    }

    @Test
    void withoutAPrefillEndpointARequestFailsWith503UnlessTheConfigFallsBackToAggregated() throws Exception {
        ClusterLayout decodeOnly = new ClusterLayout(List.of(new ClusterLayout.Group(2, LLAMA, ReplicaRole.DECODE)));
        RequestPlan plan = plan(4, 500, 5, 200);
        PolicyReport refused = run(decodeOnly, GUIDE, plan);
        assertThat(refused.summary().failed()).isEqualTo(4);
        assertThat(refused.summary().errors()).containsEntry("no prefill endpoint (503)", 4L);
        assertThat(refused.pool().pd().refused()).isEqualTo(4);
        assertThat(refused.pool().pd().decisions()).containsEntry("no-prefill-endpoint", 4L);
        assertThat(refused.replicas()).allSatisfy(rep -> assertThat(rep.requests()).isZero());

        Path fallback = dir.resolve("pd-fallback.yaml");
        Files.writeString(fallback, Files.readString(Path.of("../docs/workloads/pd-llmd-guide.yaml"))
                .replace("      prefill: always-disagg-pd-decider\n",
                        "      prefill: always-disagg-pd-decider\n    aggregatedFallback: true\n"));
        PolicyReport served = run(decodeOnly, SimPolicy.of(fallback.toString()), plan);
        assertThat(served.summary().completed()).isEqualTo(4);
        assertThat(served.pool().pd().aggregatedFallback()).isEqualTo(4);
        assertThat(served.pool().pd().split()).isZero();
        assertThat(served.replicas().stream().mapToLong(ReplicaSummary::requests).sum()).isEqualTo(4);
    }

    @Test
    void aClientThatGivesUpDuringThePrefillLegAbortsItThere() {
        RequestPlan plan = plan(1, 6000, 10, 1000);
        SimulationOptions options = SimulationOptions.of(ClusterLayout.pd(1, LLAMA, 1, LLAMA))
                .withRequestTimeout(50_000_000L); // 50 ms: the 6,000-token prefill takes longer
        PolicyReport r = new WhatIfSimulator(options).runOne(plan, GUIDE, WhatIfSimulator.Progress.NONE);
        assertThat(r.summary().errors()).containsEntry("timeout", 1L);
        assertThat(r.pool().pd().prefillLegFailures()).isEqualTo(1);
        assertThat(r.pool().pd().prefillLeg().count()).isZero();
        assertThat(r.replicas()).extracting(ReplicaSummary::requests).containsExactly(1L, 0L);
    }

    @Test
    void aPdRunIsDeterministicAndItsReportShowsTheSplitBesideTheAggregatedPool() {
        RequestPlan plan = plan(40, 1500, 30, 50);
        ClusterLayout split = ClusterLayout.pd(2, LLAMA, 2, LLAMA);
        PolicyReport first = run(split, GUIDE, plan).named("guide@2P2D");
        PolicyReport again = run(split, GUIDE, plan).named("guide@2P2D");
        assertThat(JsonReport.toJson(report(List.of(again)))).isEqualTo(JsonReport.toJson(report(List.of(first))));
        PolicyReport aggregated = PoolReports.attach(run(ClusterLayout.uniform(4, LLAMA), SimPolicy.of("round-robin"),
                plan), ClusterLayout.uniform(4, LLAMA), null).named("round-robin@4");
        assertThat(aggregated.pool().pd()).isNull();
        String md = MarkdownReport.render(report(List.of(first, aggregated)));
        assertThat(md).contains("### P/D split vs aggregated", "| guide@2P2D | 2 × llama-3.1-8b-h100 prefill + 2 × "
                + "llama-3.1-8b-h100 decode | 4 |", "| round-robin@4 | 4 × llama-3.1-8b-h100 | 4 |",
                "| guide@2P2D | 40 | 0 | 0 (0 / 0) |");
        String json = JsonReport.toJson(report(List.of(first, aggregated)));
        assertThat(json).contains("\"output_tokens_per_s_per_gpu\"", "\"prefill_leg\"", "\"decode_first_token\"");
        // a run without P/D says nothing of pools
        PolicyReport plain = run(ClusterLayout.uniform(4, LLAMA), SimPolicy.of("round-robin"), plan);
        assertThat(plain.pool()).isNull();
        assertThat(JsonReport.toJson(report(List.of(plain)))).doesNotContain("\"pool\"");
        assertThat(MarkdownReport.render(report(List.of(plain)))).doesNotContain("P/D");
    }

    private static BenchReport report(List<PolicyReport> policies) {
        return new BenchReport(BenchReport.SCHEMA_VERSION, "simulate", "random (test)", Map.of(), policies, null);
    }
}
