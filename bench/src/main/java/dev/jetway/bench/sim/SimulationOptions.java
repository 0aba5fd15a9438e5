package dev.jetway.bench.sim;

import dev.jetway.bench.metrics.Cost;
import dev.jetway.bench.metrics.Slo;
import dev.jetway.engine.EngineConfig;
import java.util.Objects;

/**
 * How a what-if simulation models the cluster and the gateway.
 *
 * @param cluster            the replicas and each one's engine (profile, block size, batch budget, KV capacity);
 *                           replica i gets seed {@code seed + i}
 * @param model              the served model name (what requests ask for; keys the prefix cache)
 * @param ignoreEos          requests generate exactly {@code max_tokens}
 * @param scrapeIntervalNanos how often the gateway's data layer refreshes each replica's metrics (llm-d: 50 ms);
 *                           scrapes of different replicas are spread evenly over the interval, and between scrapes
 *                           the scheduler sees the last snapshot (staleness)
 * @param kvEventDelayNanos  KV events reach a {@link KvEventListener} this long after the engine emitted them
 * @param seed               seed of the scheduler's randomness and the engines
 * @param slo                SLO for goodput, or null
 * @param cost               cost per GPU-hour for tokens per dollar, or null
 * @param client             the request path outside the engine, the client's timeout and concurrency cap
 * @param admission          what the gateway's admit stage does with each request before it is scheduled (flow
 *                           control); {@link Admission.Factory#OPEN}: everything straight through
 * @param gateways           how many gateway replicas route the traffic, whether one is killed, and what they tell
 *                           each other ({@link Gateways#SINGLE}: one gateway, the usual run)
 */
public record SimulationOptions(ClusterLayout cluster, String model, boolean ignoreEos,
                                long scrapeIntervalNanos, long kvEventDelayNanos, long seed, Slo slo, Cost cost,
                                ClientSide client, Admission.Factory admission, Gateways gateways) {

    public static final long DEFAULT_SCRAPE_INTERVAL_NANOS = 50_000_000;
    public static final long DEFAULT_KV_EVENT_DELAY_NANOS = 10_000_000;

    public SimulationOptions {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(gateways, "gateways");
        if (scrapeIntervalNanos <= 0 || kvEventDelayNanos < 0) {
            throw new IllegalArgumentException("scrape interval must be > 0 and KV event delay >= 0");
        }
    }

    /** One gateway. */
    public SimulationOptions(ClusterLayout cluster, String model, boolean ignoreEos, long scrapeIntervalNanos,
                             long kvEventDelayNanos, long seed, Slo slo, Cost cost, ClientSide client,
                             Admission.Factory admission) {
        this(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed, slo, cost, client, admission,
                Gateways.SINGLE);
    }

    /**
     * The gateway's admission: flow control for a policy whose EndpointPickerConfig turns it on
     * ({@link FlowControlAdmission}), every request straight through otherwise.
     */
    public SimulationOptions(ClusterLayout cluster, String model, boolean ignoreEos, long scrapeIntervalNanos,
                             long kvEventDelayNanos, long seed, Slo slo, Cost cost, ClientSide client) {
        this(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed, slo, cost, client,
                FlowControlAdmission.FACTORY);
    }

    public static SimulationOptions of(int replicas, EngineConfig engine) {
        return of(ClusterLayout.uniform(replicas, engine));
    }

    /** Defaults for {@code cluster}, serving the model of its first group. */
    public static SimulationOptions of(ClusterLayout cluster) {
        return new SimulationOptions(cluster, cluster.engine(0).profile().model().huggingFaceName(), true,
                DEFAULT_SCRAPE_INTERVAL_NANOS, DEFAULT_KV_EVENT_DELAY_NANOS, 42, null, null, ClientSide.DEFAULT);
    }

    /** Number of engine replicas. */
    public int replicas() {
        return cluster.replicas();
    }

    /**
     * Replica 0's engine. In a heterogeneous cluster the others may differ in everything but the block size; use
     * {@link ClusterLayout#engine(int)} for a given replica.
     */
    public EngineConfig engine() {
        return cluster.engine(0);
    }

    public SimulationOptions withSlo(Slo value) {
        return new SimulationOptions(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                value, cost, client, admission, gateways);
    }

    public SimulationOptions withCost(Cost value) {
        return new SimulationOptions(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, value, client, admission, gateways);
    }

    public SimulationOptions withScrapeInterval(long nanos) {
        return new SimulationOptions(cluster, model, ignoreEos, nanos, kvEventDelayNanos, seed, slo, cost,
                client, admission, gateways);
    }

    public SimulationOptions withClient(ClientSide value) {
        return new SimulationOptions(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, cost, value, admission, gateways);
    }

    /** With flow control (or any other admission) in front of the scheduler. */
    public SimulationOptions withAdmission(Admission.Factory value) {
        return new SimulationOptions(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, cost, client, value, gateways);
    }

    /** Routed by several gateway replicas (see {@link Gateways}). */
    public SimulationOptions withGateways(Gateways value) {
        return new SimulationOptions(cluster, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, cost, client, admission, value);
    }

    public SimulationOptions withPath(RequestPath value) {
        return withClient(client.withPath(value));
    }

    public SimulationOptions withRequestTimeout(long nanos) {
        return withClient(client.withTimeout(nanos));
    }
}
