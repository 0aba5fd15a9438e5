package dev.jetway.gateway.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.gateway.tokenize.RemoteTokenizers;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulerServices;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import dev.jetway.scheduler.plugins.scorer.PrecisePrefixCacheScorer;
import dev.jetway.scheduler.spi.EngineTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a pool's {@code endpointPicker} value (absent, a built-in policy, a file path, or inline YAML) into a config. */
public final class PickerConfigs {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PickerConfigs() {
    }

    public static EndpointPickerConfig resolve(JsonNode value, Path baseDir, String poolName) {
        return resolve(value, baseDir, poolName, false);
    }

    /**
     * As {@link #resolve(JsonNode, Path, String)}; {@code kvEvents}: the pool can route on KV events (every endpoint
     * publishes them and the pool's tokens are the engine's), so the default policy uses them.
     */
    public static EndpointPickerConfig resolve(JsonNode value, Path baseDir, String poolName, boolean kvEvents) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return EndpointPickerConfig.builtIn("jetway", kvEvents);
        }
        if (value.isTextual()) {
            String text = value.asText();
            if (EndpointPickerConfig.BUILT_IN_POLICIES.contains(text)) {
                return EndpointPickerConfig.builtIn(text, kvEvents);
            }
            if (text.contains("\n")) {
                // a block scalar (endpointPicker: |) holding the config itself
                return EndpointPickerConfig.parse(text, "pool " + poolName + " endpointPicker");
            }
            Path file = baseDir.resolve(text);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("pool " + poolName + ": endpointPicker " + text
                        + " is neither a built-in policy " + EndpointPickerConfig.BUILT_IN_POLICIES
                        + " nor an existing file (looked at " + file + ")");
            }
            return EndpointPickerConfig.load(file);
        }
        if (value.isObject()) {
            try {
                return EndpointPickerConfig.parse(YAML.writeValueAsString(value), "pool " + poolName + " endpointPicker");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("pool " + poolName + ": endpointPicker cannot be read: " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("pool " + poolName
                + ": endpointPicker must be a policy name, a file path or an inline EndpointPickerConfig");
    }

    /**
     * Resolves {@code value} and builds a scheduler from it, as a reload would, so that a config arriving from outside
     * jetway.yaml (a ConfigMap) is refused before it could make the reload that carries it fail. Throws the problems.
     */
    public static EndpointPickerConfig check(JsonNode value, Path baseDir, String poolName) {
        EndpointPickerConfig config = resolve(value, baseDir, poolName);
        try (RemoteTokenizers tokenizers = new RemoteTokenizers()) {
            Scheduler.fromConfig(config, checkEnvironment(config, tokenizers));
        }
        return config;
    }

    /**
     * An environment to build a scheduler from {@code config} only to see that it builds: the gateway gives precise
     * configs a KV-event index, so checking one needs an (empty) index too, sized with the block size it asks for.
     */
    public static SchedulerEnvironment checkEnvironment(EndpointPickerConfig config, EngineTokenizers tokenizers) {
        // token-producer's vllm backend needs the gateway's /tokenize client; it does no I/O until a request comes
        SchedulerEnvironment env = SchedulerEnvironment.system().withServices(new SchedulerServices(null, tokenizers));
        for (var plugin : config.plugins()) {
            if (plugin.type().equals(PrecisePrefixCacheProducer.TYPE)
                    || plugin.type().equals(PrecisePrefixCacheScorer.TYPE)) {
                var tokens = plugin.parameters().path("tokenProcessorConfig");
                int blockSize = tokens.path("blockSizeTokens").asInt(tokens.path("blockSize").asInt(64));
                return env.withPreciseIndex(new PrecisePrefixIndex(PreciseIndexConfig.defaults(Math.max(1, blockSize))));
            }
        }
        return env;
    }
}
