package dev.jetway.sim;

import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.sim.fault.FailureType;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to run simulated vLLM replicas; the flags of {@code jetway sim}. Build with {@link #defaults(String)} and the
 * {@code with*} methods.
 *
 * @param model               served (base) model name
 * @param bindHost            address the HTTP servers bind
 * @param advertiseHost       host put in KV-event topics and P/D {@code remote_host} (vLLM uses the pod IP)
 * @param port                HTTP port of replica 0 (replica i listens on port + i); 0 = OS-chosen ports
 * @param profile             engine profile name
 * @param kvEventsEndpoint    ZMQ PUB bind endpoint of replica 0 (e.g. {@code tcp://*:5557}; replica i binds port + i,
 *                            port 0 = OS-chosen), or null for no KV events
 * @param kvEventsReplayEndpoint ZMQ ROUTER bind endpoint of replica 0's KV-event replay service (vLLM's
 *                            {@code replay_endpoint}, e.g. {@code tcp://*:5558}; replica i binds port + i), or null for
 *                            no replay; needs {@code kvEventsEndpoint}
 * @param blockSize           tokens per KV block
 * @param maxNumSeqs          running requests per replica at most
 * @param maxNumBatchedTokens tokens per engine step at most
 * @param maxModelLen         prompt + output tokens at most; 0 = the profile's
 * @param seed                seed of the engine (EOS points) and of failure injection
 * @param loraModules         LoRA adapter name to path, in {@code /v1/models} order
 * @param maxLoras            adapters that may run at the same time
 * @param failureRate         percent of requests answered with an injected failure, 0..100
 * @param failureTypes        failures to choose from
 * @param stallAfterTokens    streams stop sending after this many tokens but stay open; -1 = never
 * @param role                the replicas' P/D role ({@link SimRole}): which leg of a split request they refuse
 * @param schedulingPolicy    vLLM's {@code --scheduling-policy}: {@code fcfs}, or {@code priority} (a request's
 *                            {@code priority}, lower first; preemption of the lowest priority)
 */
public record SimOptions(String model, String bindHost, String advertiseHost, int port, String profile,
                         String kvEventsEndpoint, String kvEventsReplayEndpoint, int blockSize, int maxNumSeqs,
                         int maxNumBatchedTokens, int maxModelLen, long seed, Map<String, String> loraModules,
                         int maxLoras, double failureRate, Set<FailureType> failureTypes, int stallAfterTokens,
                         SimRole role, SchedulingPolicy schedulingPolicy) {

    public static final String DEFAULT_PROFILE = "qwen3-32b-h100-tp2";

    public SimOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(advertiseHost, "advertiseHost");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(schedulingPolicy, "schedulingPolicy");
        loraModules = Collections.unmodifiableMap(new LinkedHashMap<>(loraModules));
        failureTypes = failureTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(failureTypes));
        requireRange("port", port, 0, 65535);
        requireRange("blockSize", blockSize, 1, 4096);
        requireRange("maxNumSeqs", maxNumSeqs, 1, 1 << 20);
        requireRange("maxNumBatchedTokens", maxNumBatchedTokens, 1, 1 << 24);
        requireRange("maxModelLen", maxModelLen, 0, 1 << 24);
        requireRange("maxLoras", maxLoras, 1, 1024);
        if (!(failureRate >= 0 && failureRate <= 100)) {
            throw new IllegalArgumentException("failureRate must be in [0, 100]: " + failureRate);
        }
        if (stallAfterTokens < -1) {
            throw new IllegalArgumentException("stallAfterTokens must be >= 0, or -1 for never: " + stallAfterTokens);
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        if (loraModules.containsKey(model)) {
            throw new IllegalArgumentException("a LoRA adapter may not be named like the base model: " + model);
        }
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /** Defaults of {@code jetway sim}: 127.0.0.1, port 8000, profile {@value #DEFAULT_PROFILE}, no KV events. */
    public static SimOptions defaults(String model) {
        String podIp = System.getenv("POD_IP");
        return new SimOptions(model, "127.0.0.1", podIp == null || podIp.isBlank() ? "127.0.0.1" : podIp, 8000,
                DEFAULT_PROFILE, null, null, 16, 256, 8192, 0, 0, Map.of(), 1, 0, EnumSet.allOf(FailureType.class), -1,
                SimRole.BOTH, SchedulingPolicy.FCFS);
    }

    public SimOptions withBindHost(String value) {
        return new SimOptions(model, value, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withAdvertiseHost(String value) {
        return new SimOptions(model, bindHost, value, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withPort(int value) {
        return new SimOptions(model, bindHost, advertiseHost, value, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withProfile(String value) {
        return new SimOptions(model, bindHost, advertiseHost, port, value, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withKvEvents(String endpoint) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, endpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    /** The replay endpoint of replica 0 (replica i binds port + i); null turns replay off. */
    public SimOptions withKvEventsReplay(String endpoint) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, endpoint, blockSize,
                maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate, failureTypes,
                stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withBlockSize(int value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                value, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withMaxNumSeqs(int value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, value, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withMaxNumBatchedTokens(int value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, value, maxModelLen, seed, loraModules, maxLoras, failureRate, failureTypes,
                stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withMaxModelLen(int value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, value, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withSeed(long value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, value, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withLoraModules(Map<String, String> value, int maxLorasValue) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, value, maxLorasValue, failureRate,
                failureTypes, stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withFailures(double rate, Set<FailureType> types) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, rate, types,
                stallAfterTokens, role, schedulingPolicy);
    }

    public SimOptions withStallAfterTokens(int value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, value, role, schedulingPolicy);
    }

    public SimOptions withRole(SimRole value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, value, schedulingPolicy);
    }

    public SimOptions withSchedulingPolicy(SchedulingPolicy value) {
        return new SimOptions(model, bindHost, advertiseHost, port, profile, kvEventsEndpoint, kvEventsReplayEndpoint,
                blockSize, maxNumSeqs, maxNumBatchedTokens, maxModelLen, seed, loraModules, maxLoras, failureRate,
                failureTypes, stallAfterTokens, role, value);
    }
}
