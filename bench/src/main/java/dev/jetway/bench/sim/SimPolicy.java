package dev.jetway.bench.sim;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * A routing policy to simulate: a name for the report and how to build a fresh scheduler (and, for KV-event-driven
 * policies, the listener that feeds its index) for each run.
 */
public record SimPolicy(String name, Factory factory) {

    /** What one run routes with. */
    public record Instance(Scheduler scheduler, KvEventListener kvEvents) {
    }

    @FunctionalInterface
    public interface Factory {
        /** A fresh instance for a run over {@code endpoints} (replica i is {@code endpoints.get(i)}). */
        Instance create(SchedulerEnvironment environment, List<Endpoint> endpoints);
    }

    /**
     * A policy name or file as {@code --policies} takes it: {@code precise} (KV-event-driven, see
     * {@link dev.jetway.bench.sim.precise.PrecisePolicy}) for engines of {@code options}, else {@link #of(String)}.
     */
    public static SimPolicy resolve(String policyOrFile, SimulationOptions options) {
        if (policyOrFile.equals(dev.jetway.bench.sim.precise.PrecisePolicy.NAME)) {
            return dev.jetway.bench.sim.precise.PrecisePolicy.of(options.engine().blockSize(), options.model());
        }
        return of(policyOrFile);
    }

    /** A built-in policy name ({@code approximate}, {@code load}, ...) or a path to an EndpointPickerConfig file. */
    public static SimPolicy of(String policyOrFile) {
        EndpointPickerConfig config = EndpointPickerConfig.policyOrFile(policyOrFile);
        String name = policyOrFile.endsWith(".yaml") || policyOrFile.endsWith(".yml") || policyOrFile.contains("/")
                ? Path.of(policyOrFile).getFileName().toString().replaceFirst("\\.ya?ml$", "") : policyOrFile;
        return new SimPolicy(name, (env, endpoints) -> new Instance(Scheduler.fromConfig(config, env), null));
    }
}
