package dev.jetway.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import dev.jetway.gateway.datalayer.engines.EngineAdapters;

/**
 * A set of interchangeable model servers and how to pick among them.
 *
 * @param name           pool name (metrics label)
 * @param models         model names this pool serves; empty = whatever its endpoints list in {@code /v1/models}
 * @param endpoints      its model servers
 * @param endpointPicker llm-d {@code EndpointPickerConfig}: a file path (relative to jetway.yaml) or inline YAML;
 *                       absent = Jetway's default config
 * @param tokenizer      how the gateway turns prompts into tokens for routing: {@value #AUTO_TOKENIZER} (default:
 *                       decided per pool when its scheduler is built, see {@code TokenizerChoice}: the engine's own
 *                       ids where the picker matches KV events, the estimate elsewhere), {@value #SIMPLE_TOKENIZER}
 *                       (the simulator's tokenizer, so routing blocks equal the simulator's cached blocks; what
 *                       {@code jetway up} sets), {@value #ESTIMATE_TOKENIZER} (llm-d's estimate, 4 bytes per
 *                       pseudo-token, done by the scheduler: no call, consistent blocks for approximate routing),
 *                       {@value #ENGINE_TOKENIZER} (the model server's own {@code /tokenize}: exact ids, needed by
 *                       precise prefix routing) or {@value #HUGGING_FACE_TOKENIZER} (the model's tokenizer.json,
 *                       in-process)
 * @param kvBlockSize    tokens per KV block of the pool's model servers (vLLM {@code --block-size}); the precise
 *                       prefix index keys blocks of this size unless the picker's producer sets
 *                       {@code tokenProcessorConfig.blockSize}
 * @param engineTokenizer settings of the {@code engine} tokenizer
 * @param huggingFace    settings of the {@code huggingface} tokenizer (a local tokenizer.json)
 * @param disaggregation how requests the picker splits into prefill and decode legs are carried (P/D pools)
 * @param inferencePool  discover the endpoints from this Kubernetes InferencePool instead of listing them
 * @param endpointsFile  discover the endpoints from this file (relative to jetway.yaml), re-read when it changes
 * @param endpointPickerConfigMap take the EndpointPickerConfig from this ConfigMap key, re-read when it changes
 * @param tls            the pool's model servers speak HTTPS (CA bundle, server name, client certificate), or null
 * @param upstreamAuth   what the model servers see in {@code Authorization} (default: nothing of the client's)
 * @param trustClientHeaders forward the client's routing and identity headers ({@code x-jetway-*},
 *                       {@code x-gateway-destination-endpoint*}, {@code x-prefiller-host-port}, {@code X-Forwarded-For},
 *                       fairness ids) to the model servers as sent, for clients that are trusted proxies; default
 *                       false: they are removed, and {@code X-Forwarded-For} names the client's address
 * @param outlierDetection which endpoints to eject for failing or crawling (passive health checking)
 * @param healthCheck    the active health checks (a one-token completion) that admit and re-admit endpoints
 * @param migrationLimit how many times a stream whose model server fails mid-response may be continued on another
 *                       endpoint (request migration, docs/operations.md); 0 turns migration off; default
 *                       {@value #DEFAULT_MIGRATION_LIMIT}
 * @param engine         the model-server engine whose metrics the pool's endpoints serve: {@code vllm},
 *                       {@code sglang}, {@code trtllm-serve}, {@code triton-trtllm}, {@code tgi}, {@code llama.cpp},
 *                       or {@value #AUTO_ENGINE} (default: recognised per endpoint from its metrics page)
 */
public record PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker,
                         String tokenizer, Integer kvBlockSize, EngineTokenizerSettings engineTokenizer,
                         HuggingFaceSettings huggingFace, DisaggregationSettings disaggregation,
                         InferencePoolRef inferencePool, String endpointsFile,
                         ConfigMapKeyRef endpointPickerConfigMap, PoolTlsSettings tls,
                         UpstreamAuthSettings upstreamAuth, Boolean trustClientHeaders,
                         OutlierDetectionSettings outlierDetection, HealthCheckSettings healthCheck,
                         Integer migrationLimit, String engine) {

    public static final String AUTO_TOKENIZER = "auto";
    public static final String SIMPLE_TOKENIZER = "jetway-simple-v1";
    public static final String ESTIMATE_TOKENIZER = "estimate";
    public static final String ENGINE_TOKENIZER = "engine";
    public static final String HUGGING_FACE_TOKENIZER = "huggingface";
    public static final int DEFAULT_MIGRATION_LIMIT = 3;
    public static final String AUTO_ENGINE = EngineAdapters.AUTO;

    public PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker,
                      String tokenizer, Integer kvBlockSize, EngineTokenizerSettings engineTokenizer,
                      HuggingFaceSettings huggingFace, DisaggregationSettings disaggregation,
                      InferencePoolRef inferencePool, String endpointsFile, ConfigMapKeyRef endpointPickerConfigMap,
                      PoolTlsSettings tls, UpstreamAuthSettings upstreamAuth, Boolean trustClientHeaders,
                      OutlierDetectionSettings outlierDetection, HealthCheckSettings healthCheck,
                      Integer migrationLimit) {
        this(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer, huggingFace,
                disaggregation, inferencePool, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth,
                trustClientHeaders, outlierDetection, healthCheck, migrationLimit, null);
    }

    public PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker,
                      String tokenizer, Integer kvBlockSize, EngineTokenizerSettings engineTokenizer,
                      HuggingFaceSettings huggingFace, DisaggregationSettings disaggregation) {
        this(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer, huggingFace,
                disaggregation, null, null, null, null, null, null, null, null, null);
    }

    public PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker,
                      String tokenizer) {
        this(name, models, endpoints, endpointPicker, tokenizer, null);
    }

    public PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker,
                      String tokenizer, Integer kvBlockSize) {
        this(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, null, null, null);
    }

    public PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker) {
        this(name, models, endpoints, endpointPicker, null, null);
    }

    public PoolConfig {
        kvBlockSize = kvBlockSize == null ? 16 : kvBlockSize;
        ConfigChecks.positive("pools[" + name + "].kvBlockSize", kvBlockSize);
        tokenizer = tokenizer == null ? AUTO_TOKENIZER : tokenizer;
        if (!List.of(AUTO_TOKENIZER, SIMPLE_TOKENIZER, ESTIMATE_TOKENIZER, ENGINE_TOKENIZER, HUGGING_FACE_TOKENIZER)
                .contains(tokenizer)) {
            throw new IllegalArgumentException("pool " + name + ": tokenizer must be " + AUTO_TOKENIZER + ", "
                    + SIMPLE_TOKENIZER + ", " + ESTIMATE_TOKENIZER + ", " + ENGINE_TOKENIZER + " or "
                    + HUGGING_FACE_TOKENIZER + ", got " + tokenizer);
        }
        engineTokenizer = engineTokenizer == null ? EngineTokenizerSettings.defaults() : engineTokenizer;
        disaggregation = disaggregation == null ? DisaggregationSettings.defaults() : disaggregation;
        upstreamAuth = upstreamAuth == null ? UpstreamAuthSettings.defaults() : upstreamAuth;
        trustClientHeaders = trustClientHeaders != null && trustClientHeaders;
        outlierDetection = outlierDetection == null ? OutlierDetectionSettings.defaults() : outlierDetection;
        healthCheck = healthCheck == null ? HealthCheckSettings.defaults() : healthCheck;
        migrationLimit = migrationLimit == null ? DEFAULT_MIGRATION_LIMIT : migrationLimit;
        ConfigChecks.nonNegative("pools[" + name + "].migrationLimit", migrationLimit);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("every pool needs a name");
        }
        models = models == null ? List.of() : List.copyOf(models);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        var seen = new HashSet<String>();
        for (EndpointConfig e : endpoints) {
            if (!seen.add(e.address())) {
                throw new IllegalArgumentException("pool " + name + " lists endpoint " + e.address() + " twice");
            }
        }
        engine = engine == null ? AUTO_ENGINE : engine;
        if (!EngineAdapters.names().contains(engine)) {
            throw new IllegalArgumentException("pool " + name + ": engine must be one of "
                    + String.join(", ", EngineAdapters.names()) + ", got " + engine);
        }
        if (ENGINE_TOKENIZER.equals(tokenizer) && !servesTokenize(engine)) {
            throw new IllegalArgumentException("pool " + name + ": tokenizer engine needs the model server's "
                    + "/tokenize, which " + engine + " does not serve; use tokenizer: huggingface with the model's "
                    + "tokenizer.json");
        }
        if (inferencePool != null && endpointsFile != null) {
            throw new IllegalArgumentException("pool " + name + ": inferencePool and endpointsFile both say where "
                    + "the endpoints come from; keep one");
        }
    }

    /** False for the engines that serve no {@code /tokenize} (TensorRT-LLM's servers). */
    public boolean servesTokenize() {
        return servesTokenize(engine);
    }

    private static boolean servesTokenize(String engine) {
        return !List.of("trtllm-serve", "triton-trtllm").contains(engine);
    }

    /** True when the endpoints are discovered (Kubernetes or a file) rather than listed. */
    public boolean discovered() {
        return inferencePool != null || endpointsFile != null;
    }

    /**
     * Problems of a pool as written in jetway.yaml, where discovery has not filled anything in yet: a discovered pool
     * lists no endpoints, a ConfigMap picker has no inline one.
     */
    public void checkAsWritten() {
        if (discovered() && !endpoints.isEmpty()) {
            throw new IllegalArgumentException("pool " + name + ": endpoints and " + (inferencePool != null
                    ? "inferencePool" : "endpointsFile") + " both say where the endpoints come from; keep one");
        }
        if (endpointPickerConfigMap != null && endpointPicker != null && !endpointPicker.isNull()) {
            throw new IllegalArgumentException("pool " + name + ": endpointPicker and endpointPickerConfigMap both "
                    + "give the EndpointPickerConfig; keep one");
        }
    }

    public PoolConfig withEndpoints(List<EndpointConfig> list) {
        return new PoolConfig(name, models, list, endpointPicker, tokenizer, kvBlockSize, engineTokenizer, huggingFace,
                disaggregation, inferencePool, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth, trustClientHeaders,
                outlierDetection, healthCheck, migrationLimit, engine);
    }

    public PoolConfig withEndpointPicker(JsonNode picker) {
        return new PoolConfig(name, models, endpoints, picker, tokenizer, kvBlockSize, engineTokenizer, huggingFace,
                disaggregation, inferencePool, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth, trustClientHeaders,
                outlierDetection, healthCheck, migrationLimit, engine);
    }

    public PoolConfig withTokenizer(String value) {
        return new PoolConfig(name, models, endpoints, endpointPicker, value, kvBlockSize, engineTokenizer,
                huggingFace, disaggregation, inferencePool, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth,
                trustClientHeaders, outlierDetection, healthCheck, migrationLimit, engine);
    }

    public PoolConfig withEngine(String value) {
        return new PoolConfig(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer,
                huggingFace, disaggregation, inferencePool, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth,
                trustClientHeaders, outlierDetection, healthCheck, migrationLimit, value);
    }

    public PoolConfig withInferencePool(InferencePoolRef ref) {
        return new PoolConfig(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer,
                huggingFace, disaggregation, ref, endpointsFile, endpointPickerConfigMap, tls, upstreamAuth, trustClientHeaders,
                outlierDetection, healthCheck, migrationLimit, engine);
    }

    public PoolConfig withEndpointsFile(String file) {
        return new PoolConfig(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer,
                huggingFace, disaggregation, inferencePool, file, endpointPickerConfigMap, tls, upstreamAuth, trustClientHeaders,
                outlierDetection, healthCheck, migrationLimit, engine);
    }

    public PoolConfig withEndpointPickerConfigMap(ConfigMapKeyRef ref) {
        return new PoolConfig(name, models, endpoints, endpointPicker, tokenizer, kvBlockSize, engineTokenizer,
                huggingFace, disaggregation, inferencePool, endpointsFile, ref, tls, upstreamAuth, trustClientHeaders,
                outlierDetection, healthCheck, migrationLimit, engine);
    }

    /** True when this pool needs the Kubernetes API. */
    public boolean usesKubernetes() {
        return inferencePool != null || endpointPickerConfigMap != null;
    }

    /**
     * True when the default policy can route on KV events: every endpoint publishes them and the pool's tokens are
     * the engine's (any tokenizer but {@value #ESTIMATE_TOKENIZER}, whose pseudo-tokens never match engine blocks;
     * {@value #AUTO_TOKENIZER} then becomes {@value #ENGINE_TOKENIZER}).
     */
    public boolean routesOnKvEvents() {
        return !endpoints.isEmpty() && !ESTIMATE_TOKENIZER.equals(tokenizer)
                && endpoints.stream().allMatch(e -> e.kvEvents() != null && !e.kvEvents().isBlank());
    }

    /** True when some endpoint publishes KV events: the pool then keeps a precise prefix index. */
    public boolean hasKvEvents() {
        return endpoints.stream().anyMatch(e -> e.kvEvents() != null);
    }
}
