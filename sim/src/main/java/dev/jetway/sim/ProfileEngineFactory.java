package dev.jetway.sim;

import dev.jetway.engine.Clock;
import dev.jetway.engine.Engine;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineProfiles;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.vllm.VllmEngine;

/** The engine model ({@link VllmEngine}) with a built-in profile, configured from the simulator's flags. */
public final class ProfileEngineFactory implements EngineFactory {

    @Override
    public Engine create(SimOptions options, ReplicaAddress replica, KvEventSink kvEvents, Clock clock) {
        return new VllmEngine(config(options)
                .withTransferEndpoint("jetway-sim-" + replica.host() + ":" + replica.port(), replica.host(),
                        replica.port()), clock, kvEvents);
    }

    @Override
    public int maxModelLen(SimOptions options) {
        return config(options).effectiveMaxModelLen();
    }

    private static EngineConfig config(SimOptions options) {
        return EngineConfig.defaults(EngineProfiles.byName(options.profile()))
                .withBlockSize(options.blockSize())
                .withMaxNumSeqs(options.maxNumSeqs())
                .withMaxNumBatchedTokens(options.maxNumBatchedTokens())
                .withMaxModelLen(options.maxModelLen())
                .withSeed(options.seed())
                .withHashSeed(options.seed())
                .withSchedulingPolicy(options.schedulingPolicy());
    }
}
