package dev.jetway.bench.sim;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.metrics.Cost;
import dev.jetway.bench.metrics.Slo;
import dev.jetway.engine.EngineConfig;
import java.util.Objects;

/**
 * How a what-if simulation models the cluster and the gateway.
 *
 * @param replicas           number of engine replicas
 * @param engine             each replica's engine (profile, block size, batch budget, KV capacity); replica i gets
 *                           seed {@code seed + i}
 * @param model              the served model name (what requests ask for; keys the prefix cache)
 * @param ignoreEos          requests generate exactly {@code max_tokens}
 * @param scrapeIntervalNanos how often the gateway's data layer refreshes each replica's metrics (llm-d: 50 ms);
 *                           scrapes of different replicas are spread evenly over the interval, and between scrapes
 *                           the scheduler sees the last snapshot (staleness)
 * @param kvEventDelayNanos  KV events reach a {@link KvEventListener} this long after the engine emitted them
 * @param seed               seed of the scheduler's randomness and the engines
 * @param slo                SLO for goodput, or null
 * @param cost               cost per GPU-hour for tokens per dollar, or null
 * @param path               time each request spends outside the engine before it is queued there, counted in
 *                           the client's latencies ({@link RequestPath#NONE}: engine latencies only)
 * @param requestTimeoutNanos the client gives up on a request not finished this long after its send: the engine
 *                           aborts it (vLLM aborts on disconnect) and it counts as failed, as in the live benchmark
 */
public record SimulationOptions(int replicas, EngineConfig engine, String model, boolean ignoreEos,
                                long scrapeIntervalNanos, long kvEventDelayNanos, long seed, Slo slo, Cost cost,
                                RequestPath path, long requestTimeoutNanos) {

    public static final long DEFAULT_SCRAPE_INTERVAL_NANOS = 50_000_000;
    public static final long DEFAULT_KV_EVENT_DELAY_NANOS = 10_000_000;

    public SimulationOptions {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(path, "path");
        if (replicas < 1) {
            throw new IllegalArgumentException("need at least one replica: " + replicas);
        }
        if (requestTimeoutNanos <= 0) {
            throw new IllegalArgumentException("request timeout must be > 0: " + requestTimeoutNanos + " ns");
        }
        if (scrapeIntervalNanos <= 0 || kvEventDelayNanos < 0) {
            throw new IllegalArgumentException("scrape interval must be > 0 and KV event delay >= 0");
        }
    }

    public static SimulationOptions of(int replicas, EngineConfig engine) {
        return new SimulationOptions(replicas, engine, engine.profile().model().huggingFaceName(), true,
                DEFAULT_SCRAPE_INTERVAL_NANOS, DEFAULT_KV_EVENT_DELAY_NANOS, 42, null, null, RequestPath.NONE,
                Math.round(LoadProfile.DEFAULT_TIMEOUT_SECONDS * 1e9));
    }

    public SimulationOptions withSlo(Slo value) {
        return new SimulationOptions(replicas, engine, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                value, cost, path, requestTimeoutNanos);
    }

    public SimulationOptions withCost(Cost value) {
        return new SimulationOptions(replicas, engine, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, value, path, requestTimeoutNanos);
    }

    public SimulationOptions withScrapeInterval(long nanos) {
        return new SimulationOptions(replicas, engine, model, ignoreEos, nanos, kvEventDelayNanos, seed, slo, cost,
                path, requestTimeoutNanos);
    }

    public SimulationOptions withPath(RequestPath value) {
        return new SimulationOptions(replicas, engine, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, cost, value, requestTimeoutNanos);
    }

    public SimulationOptions withRequestTimeout(long nanos) {
        return new SimulationOptions(replicas, engine, model, ignoreEos, scrapeIntervalNanos, kvEventDelayNanos, seed,
                slo, cost, path, nanos);
    }
}
