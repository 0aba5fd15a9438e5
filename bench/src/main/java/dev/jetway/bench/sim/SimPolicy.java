package dev.jetway.bench.sim;

import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.plugins.pd.DisaggProfileHandler;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import java.nio.file.Path;
import java.util.List;

/**
 * A routing policy to simulate: a name for the report and how to build a fresh scheduler (and, for KV-event-driven
 * policies, the listener that feeds its index) for each run; {@code disaggregates} when its pipeline has a P/D profile
 * handler ({@code disagg-profile-handler}), which a P/D pool needs to be routed at all.
 */
public record SimPolicy(String name, Factory factory, boolean disaggregates) {

    /** A policy without a P/D profile handler. */
    public SimPolicy(String name, Factory factory) {
        this(name, factory, false);
    }

    /** What one run routes with; {@code kvEvents} is null when the policy does not consume KV events. */
    public record Instance(Scheduler scheduler, KvEventListener kvEvents) {
    }

    @FunctionalInterface
    public interface Factory {
        /** A fresh instance for a run over {@code endpoints} (replica i is {@code endpoints.get(i)}). */
        Instance create(SchedulerEnvironment environment, List<Endpoint> endpoints, SimulationOptions options);
    }

    /**
     * A built-in policy name ({@code precise}, {@code approximate}, {@code load}, ...) or a path to an
     * EndpointPickerConfig file. A config with a {@code precise-prefix-cache-producer} gets, per run, a fresh
     * {@link PrecisePrefixIndex} (block size of the simulated engines) that the engines' KV events feed after the
     * simulation's event delay, exactly as the gateway's ZMQ intake feeds it live.
     */
    public static SimPolicy of(String policyOrFile) {
        // the simulated engines publish KV events, so "jetway" routes with them as a gateway configured for them does
        EndpointPickerConfig config = EndpointPickerConfig.policyOrFile(policyOrFile, true);
        String name = policyOrFile.endsWith(".yaml") || policyOrFile.endsWith(".yml") || policyOrFile.contains("/")
                ? Path.of(policyOrFile).getFileName().toString().replaceFirst("\\.ya?ml$", "") : policyOrFile;
        boolean precise = config.plugins().stream().anyMatch(p -> p.type().equals(PrecisePrefixCacheProducer.TYPE));
        boolean pd = config.plugins().stream().anyMatch(p -> p.type().equals(DisaggProfileHandler.TYPE)
                || p.type().equals(DisaggProfileHandler.LEGACY_TYPE));
        if (!precise) {
            return new SimPolicy(name,
                    (env, endpoints, options) -> new Instance(Scheduler.fromConfig(config, env), null), pd);
        }
        return new SimPolicy(name, (env, endpoints, options) -> {
            PrecisePrefixIndex index = new PrecisePrefixIndex(
                    PreciseIndexConfig.defaults(options.engine().blockSize()), env::nanoTime);
            int[] indexIdOfReplica = new int[endpoints.size()];
            for (int i = 0; i < endpoints.size(); i++) {
                indexIdOfReplica[i] = index.addEndpoint(endpoints.get(i).id(), options.model());
            }
            Scheduler scheduler = Scheduler.fromConfig(config, env.withPreciseIndex(index));
            KvEventListener events = (replica, event, at) ->
                    index.apply(indexIdOfReplica[replica], new KvEventBatch(at / 1e9, List.of(event), null));
            return new Instance(scheduler, events);
        }, pd);
    }
}
