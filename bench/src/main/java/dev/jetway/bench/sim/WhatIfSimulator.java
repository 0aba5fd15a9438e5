package dev.jetway.bench.sim;

import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs several policies over the identical request plan in virtual time and returns one report per policy, in the
 * order given. Policies run in parallel on {@code threads} threads; each run is single-threaded and deterministic,
 * so the result does not depend on the thread count.
 *
 * <p>With several gateway replicas ({@link SimulationOptions#gateways()}), each policy runs twice on the same plan
 * and seed: with one gateway (reported as {@code policy@1gw}), then with the gateways ({@code policy@Ngw}), whose
 * report says how many decisions matched the single gateway's ({@link dev.jetway.bench.metrics.GatewayReport}).
 *
 * <p>Programmatic use: {@code new WhatIfSimulator(options).run(plan, List.of(SimPolicy.of("approximate")), 2, p)}.
 */
public final class WhatIfSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(WhatIfSimulator.class);

    /** Progress of one policy's run; called from that run's thread. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (policy, virtualNanos, finished, total) -> {
        };

        void update(String policy, long virtualNanos, int finished, int total);
    }

    /** Prompt token ids kept across policies and requests: at most 64M tokens (256 MB). */
    private static final long PROMPT_CACHE_TOKENS = 64L << 20;

    private final SimulationOptions options;
    private final PromptTokens promptTokens = new PromptTokens(PROMPT_CACHE_TOKENS);

    public WhatIfSimulator(SimulationOptions options) {
        this.options = options;
    }

    public List<PolicyReport> run(RequestPlan plan, List<SimPolicy> policies, int threads, Progress progress)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, policies.size())),
                Thread.ofPlatform().name("simulate-", 0).daemon(true).factory());
        try {
            List<Future<List<PolicyReport>>> futures = new ArrayList<>();
            for (SimPolicy policy : policies) {
                futures.add(pool.submit(() -> options.gateways().several()
                        ? runActiveActive(plan, policy, progress) : List.of(runOne(plan, policy, progress))));
            }
            List<PolicyReport> reports = new ArrayList<>();
            for (Future<List<PolicyReport>> f : futures) {
                try {
                    reports.addAll(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(cause);
                }
            }
            return reports;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One policy on the calling thread. */
    public PolicyReport runOne(RequestPlan plan, SimPolicy policy, Progress progress) {
        long started = System.nanoTime();
        PolicyReport report = withProfiles(new PolicySimulation(plan, options, policy, promptTokens)
                .run((virtual, finished, total) -> progress.update(policy.name(), virtual, finished, total)));
        LOG.info("simulate: policy {} done: {} requests in {} ms of wall time", policy.name(),
                plan.requests().size(), (System.nanoTime() - started) / 1_000_000);
        return report;
    }

    /**
     * One policy with one gateway and then with the configured gateways, on the calling thread: the second run
     * compares each decision with the first's and with a shadow single gateway's.
     */
    public List<PolicyReport> runActiveActive(RequestPlan plan, SimPolicy policy, Progress progress) {
        Gateways fleet = options.gateways();
        if (options.cluster().disaggregated()) {
            throw new IllegalArgumentException("--gateways: P/D pools with several gateways are not simulated yet");
        }
        long started = System.nanoTime();
        String single = policy.name() + "@1gw";
        AgreementTally one = new AgreementTally(plan.requests().size(), fleet.killAtNanos(), null);
        PolicyReport alone = withProfiles(new PolicySimulation(plan, options.withGateways(Gateways.SINGLE), policy,
                promptTokens, one).run((v, f, t) -> progress.update(single, v, f, t)));
        String several = policy.name() + "@" + fleet.count() + "gw";
        AgreementTally many = new AgreementTally(plan.requests().size(), fleet.killAtNanos(), one.choices());
        PolicyReport fleetReport = withProfiles(new PolicySimulation(plan, options, policy, promptTokens, many)
                .run((v, f, t) -> progress.update(several, v, f, t)));
        LOG.info("simulate: policy {} with 1 and {} gateways done: {} requests in {} ms of wall time", policy.name(),
                fleet.count(), plan.requests().size(), (System.nanoTime() - started) / 1_000_000);
        return List.of(alone.named(single).withGateways(one.report(Gateways.SINGLE)),
                fleetReport.named(several));
    }

    /** Each replica's row names its engine profile (heterogeneous pools differ per replica). */
    private PolicyReport withProfiles(PolicyReport report) {
        List<String> profiles = options.cluster().profiles();
        List<ReplicaSummary> replicas = report.replicas().stream()
                .map(r -> r.withProfile(profiles.get(r.replica()))).toList();
        return report.withReplicas(replicas);
    }
}
