package dev.jetway.scheduler.plugins;

import static dev.jetway.scheduler.config.PluginKind.ADMITTER;
import static dev.jetway.scheduler.config.PluginKind.DATA_LAYER;
import static dev.jetway.scheduler.config.PluginKind.BAND_SELECTION_POLICY;
import static dev.jetway.scheduler.config.PluginKind.DATA_PRODUCER;
import static dev.jetway.scheduler.config.PluginKind.EVICTION_POLICY;
import static dev.jetway.scheduler.config.PluginKind.FAIRNESS_POLICY;
import static dev.jetway.scheduler.config.PluginKind.ORDERING_POLICY;
import static dev.jetway.scheduler.config.PluginKind.SATURATION_DETECTOR;
import static dev.jetway.scheduler.config.PluginKind.USAGE_LIMIT_POLICY;
import static dev.jetway.scheduler.config.PluginKind.FILTER;
import static dev.jetway.scheduler.config.PluginKind.PD_DECIDER;
import static dev.jetway.scheduler.config.PluginKind.PICKER;
import static dev.jetway.scheduler.config.PluginKind.PROFILE_HANDLER;
import static dev.jetway.scheduler.config.PluginKind.SCORER;

import dev.jetway.scheduler.config.PluginRegistry;
import dev.jetway.scheduler.flow.BuiltInEviction;
import dev.jetway.scheduler.flow.ConcurrencyDetector;
import dev.jetway.scheduler.flow.EdfOrdering;
import dev.jetway.scheduler.flow.FcfsOrdering;
import dev.jetway.scheduler.flow.GlobalStrictFairness;
import dev.jetway.scheduler.flow.RoundRobinFairness;
import dev.jetway.scheduler.flow.SloDeadlineOrdering;
import dev.jetway.scheduler.flow.PriorityHoldback;
import dev.jetway.scheduler.flow.StaticUsageLimit;
import dev.jetway.scheduler.flow.StrictBandSelection;
import dev.jetway.scheduler.flow.UtilizationDetector;
import dev.jetway.scheduler.plugins.admitter.LatencySloAdmitter;
import dev.jetway.scheduler.plugins.datalayer.DataLayerPlugin;
import dev.jetway.scheduler.plugins.filter.ByLabelFilter;
import dev.jetway.scheduler.plugins.filter.LabelSelectorFilter;
import dev.jetway.scheduler.plugins.filter.PrefixCacheAffinityFilter;
import dev.jetway.scheduler.plugins.filter.RoleFilter;
import dev.jetway.scheduler.plugins.filter.SloHeadroomTierFilter;
import dev.jetway.scheduler.plugins.filter.UtilizationFilter;
import dev.jetway.scheduler.plugins.peer.DynamoKvCostPicker;
import dev.jetway.scheduler.plugins.peer.SglangCacheAwarePicker;
import dev.jetway.scheduler.plugins.picker.MaxScorePicker;
import dev.jetway.scheduler.plugins.picker.RandomPicker;
import dev.jetway.scheduler.plugins.picker.RoundRobinPicker;
import dev.jetway.scheduler.plugins.picker.WeightedRandomPicker;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.InflightLoadProducer;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import dev.jetway.scheduler.plugins.producer.TokenProducer;
import dev.jetway.scheduler.plugins.pd.AlwaysDisaggPdDecider;
import dev.jetway.scheduler.plugins.pd.DisaggProfileHandler;
import dev.jetway.scheduler.plugins.pd.LatencyPdDecider;
import dev.jetway.scheduler.plugins.pd.PrefixBasedPdDecider;
import dev.jetway.scheduler.plugins.profile.SingleProfileHandler;
import dev.jetway.scheduler.plugins.scorer.ActiveRequestScorer;
import dev.jetway.scheduler.plugins.scorer.KvCacheUtilizationScorer;
import dev.jetway.scheduler.plugins.scorer.LatencyCostScorer;
import dev.jetway.scheduler.plugins.scorer.LatencyScorer;
import dev.jetway.scheduler.plugins.scorer.LoadAwareScorer;
import dev.jetway.scheduler.plugins.scorer.LoraAffinityScorer;
import dev.jetway.scheduler.plugins.scorer.NoHitLruScorer;
import dev.jetway.scheduler.plugins.scorer.PrecisePrefixCacheScorer;
import dev.jetway.scheduler.plugins.scorer.PrefixCacheScorer;
import dev.jetway.scheduler.plugins.scorer.QueueScorer;
import dev.jetway.scheduler.plugins.scorer.RunningRequestsSizeScorer;
import dev.jetway.scheduler.plugins.scorer.SessionAffinityScorer;
import dev.jetway.scheduler.plugins.scorer.TokenLoadScorer;

/** Every plugin Jetway ships, by llm-d type name, plus the old names and the types not built yet. */
public final class BuiltInPlugins {

    private BuiltInPlugins() {
    }

    public static void registerAll(PluginRegistry r) {
        // Filters
        r.register(RoleFilter.DECODE_TYPE, FILTER, "keep decode-capable endpoints (or unlabeled)", RoleFilter::decode);
        r.register(RoleFilter.PREFILL_TYPE, FILTER, "keep prefill-capable endpoints", RoleFilter::prefill);
        r.register(LabelSelectorFilter.TYPE, FILTER, "Kubernetes label selector", LabelSelectorFilter::create);
        r.alias("by-label-selector", LabelSelectorFilter.TYPE);
        r.register(ByLabelFilter.TYPE, FILTER, "label in a list of values (deprecated)", ByLabelFilter::create);
        r.register(PrefixCacheAffinityFilter.TYPE, FILTER, "sticky to cached endpoints until saturated",
                PrefixCacheAffinityFilter::create);
        r.register(UtilizationFilter.TYPE, FILTER, "drop endpoints over load limits", UtilizationFilter::create);
        r.register(SloHeadroomTierFilter.TYPE, FILTER, "keep endpoints predicted to meet the request's SLOs",
                SloHeadroomTierFilter::create);
        // Scorers
        r.register(QueueScorer.TYPE, SCORER, "shorter waiting queue", (n, p) -> new QueueScorer(n));
        r.register(KvCacheUtilizationScorer.TYPE, SCORER, "more free KV cache",
                (n, p) -> new KvCacheUtilizationScorer(n));
        r.alias("kv-cache-scorer", KvCacheUtilizationScorer.TYPE);
        r.register(RunningRequestsSizeScorer.TYPE, SCORER, "fewer running requests",
                (n, p) -> new RunningRequestsSizeScorer(n));
        r.register(PrefixCacheScorer.TYPE, SCORER, "longer cached prefix", PrefixCacheScorer::create);
        r.register(LoadAwareScorer.TYPE, SCORER, "waiting queue against a threshold", LoadAwareScorer::create);
        r.register(ActiveRequestScorer.TYPE, SCORER, "fewer in-flight requests", ActiveRequestScorer::create);
        r.register(TokenLoadScorer.TYPE, SCORER, "fewer in-flight prompt tokens", TokenLoadScorer::create);
        r.register(LoraAffinityScorer.TYPE, SCORER, "LoRA adapter loaded or loadable",
                (n, p) -> new LoraAffinityScorer(n));
        r.register(SessionAffinityScorer.TYPE, SCORER, "same endpoint as the session's last request",
                SessionAffinityScorer::create);
        r.register(NoHitLruScorer.TYPE, SCORER, "spread cold prefixes over least recently used endpoints",
                NoHitLruScorer::create);
        // Pickers
        r.register(LatencyScorer.TYPE, SCORER, "predicted latency headroom (llm-d)", LatencyScorer::create);
        r.register(LatencyScorer.GIE_TYPE, SCORER, "GIE v1.x predicted-latency scorer (deprecated: "
                + "predicted-latency-producer + latency-scorer)", LatencyScorer::createGie);
        r.register(LatencyCostScorer.TYPE, SCORER, "lowest predicted latency cost, own plus harm to others "
                + "(Jetway)", LatencyCostScorer::create);
        r.register(MaxScorePicker.TYPE, PICKER, "highest score, random tie-break", MaxScorePicker::create);
        r.register(RandomPicker.TYPE, PICKER, "uniformly random", RandomPicker::create);
        r.register(WeightedRandomPicker.TYPE, PICKER, "random weighted by score", WeightedRandomPicker::create);
        r.register(RoundRobinPicker.TYPE, PICKER, "in turn (Kubernetes Service baseline)", RoundRobinPicker::create);
        r.register(SglangCacheAwarePicker.TYPE, PICKER, "SGLang router's cache_aware policy",
                SglangCacheAwarePicker::create);
        r.register(DynamoKvCostPicker.TYPE, PICKER, "NVIDIA Dynamo KV router cost", DynamoKvCostPicker::create);
        // Profile handlers
        r.register(SingleProfileHandler.TYPE, PROFILE_HANDLER, "run the one profile",
                (n, p) -> new SingleProfileHandler(n));
        r.register(DisaggProfileHandler.TYPE, PROFILE_HANDLER, "P/D: decode profile, then prefill if the decider "
                + "splits", DisaggProfileHandler::create);
        r.alias(DisaggProfileHandler.LEGACY_TYPE, DisaggProfileHandler.TYPE);
        // P/D deciders
        r.register(PrefixBasedPdDecider.TYPE, PD_DECIDER, "split when the decode pick lacks nonCachedTokens",
                PrefixBasedPdDecider::create);
        r.register(AlwaysDisaggPdDecider.TYPE, PD_DECIDER, "split every request",
                (n, p) -> new AlwaysDisaggPdDecider(n));
        r.register(LatencyPdDecider.TYPE, PD_DECIDER, "split when predicted to cost less time than aggregated",
                LatencyPdDecider::create);
        // Data producers
        r.register(TokenProducer.TYPE, DATA_PRODUCER, "prompt tokens (estimate, jetway-simple-v1, engine or vllm backend)", TokenProducer::create);
        r.alias("tokenizer", TokenProducer.TYPE);
        r.register(ApproxPrefixCacheProducer.TYPE, DATA_PRODUCER, "prefix matches from routing history",
                ApproxPrefixCacheProducer::create);
        r.register(PrecisePrefixCacheProducer.TYPE, DATA_PRODUCER, "prefix matches from the engines' KV events",
                PrecisePrefixCacheProducer::create);
        r.register(PrecisePrefixCacheScorer.TYPE, SCORER, "precise producer + scorer in one (deprecated in llm-d: "
                + "use precise-prefix-cache-producer + prefix-cache-scorer)", PrecisePrefixCacheScorer::create);
        r.register(PredictedLatencyProducer.TYPE, DATA_PRODUCER, "predicted TTFT and TPOT per endpoint from an "
                + "online in-process latency model", PredictedLatencyProducer::create);
        // Admitters
        r.register(LatencySloAdmitter.TYPE, ADMITTER, "429 for sheddable requests no endpoint can serve within their "
                + "SLOs", LatencySloAdmitter::create);
        r.register(InflightLoadProducer.TYPE, DATA_PRODUCER, "in-flight requests and tokens (built in)",
                InflightLoadProducer::create);
        // Data layer (settings for the gateway)
        for (String type : DataLayerPlugin.TYPES) {
            r.register(type, DATA_LAYER, "data layer settings for the gateway",
                    (n, p) -> DataLayerPlugin.create(type, n, p));
        }
        registerFlowControl(r);
        registerPlanned(r);
    }

    /** Flow control's policies: referenced from the {@code flowControl} section, never from a profile's pipeline. */
    private static void registerFlowControl(PluginRegistry r) {
        r.register(FcfsOrdering.TYPE, ORDERING_POLICY, "first come, first served", (n, p) -> new FcfsOrdering(n));
        r.register(EdfOrdering.TYPE, ORDERING_POLICY, "earliest deadline (enqueue + TTL) first",
                (n, p) -> new EdfOrdering(n));
        r.register(SloDeadlineOrdering.TYPE, ORDERING_POLICY, "earliest TTFT deadline (x-llm-d-slo-ttft-ms) first",
                (n, p) -> new SloDeadlineOrdering(n));
        r.register(GlobalStrictFairness.TYPE, FAIRNESS_POLICY, "one order over all flows of a band",
                (n, p) -> new GlobalStrictFairness(n));
        r.register(RoundRobinFairness.TYPE, FAIRNESS_POLICY, "flows of a band take turns",
                (n, p) -> new RoundRobinFairness(n));
        r.register(RoundRobinFairness.PROGRAM_AWARE_TYPE, FAIRNESS_POLICY, "llm-d's least attained service "
                + "(runs as round-robin)", (n, p) -> {
                    p.acceptAll();
                    return RoundRobinFairness.programAware(n);
                });
        r.register(RoundRobinFairness.VTC_TYPE, FAIRNESS_POLICY, "llm-d's virtual token count (runs as round-robin)",
                (n, p) -> {
                    p.acceptAll();
                    return RoundRobinFairness.vtc(n);
                });
        r.register(StaticUsageLimit.TYPE, USAGE_LIMIT_POLICY, "dispatch below a fixed saturation",
                StaticUsageLimit::create);
        r.register(PriorityHoldback.TYPE, USAGE_LIMIT_POLICY, "stepped ceilings: lower bands dispatch only below a "
                + "lower saturation", PriorityHoldback::create);
        r.register(StaticUsageLimit.SOFT_CEILING_TYPE, USAGE_LIMIT_POLICY, "llm-d's reflective ceilings per band (runs "
                + "as static-usage-limit-policy)", (n, p) -> StaticUsageLimit.standIn(StaticUsageLimit.SOFT_CEILING_TYPE,
                n, p));
        r.register(UtilizationDetector.TYPE, SATURATION_DETECTOR, "waiting queue and KV cache against thresholds; "
                + "stale metrics estimated, never a stall", UtilizationDetector::create);
        r.register(ConcurrencyDetector.TYPE, SATURATION_DETECTOR, "in-flight requests and/or tokens against limits",
                ConcurrencyDetector::create);
        r.register(StrictBandSelection.TYPE, BAND_SELECTION_POLICY, "bands in strict priority order",
                (n, p) -> new StrictBandSelection(n));
        for (String type : java.util.List.of(BuiltInEviction.FILTER_TYPE, BuiltInEviction.ORDER_TYPE)) {
            r.register(type, EVICTION_POLICY, "llm-d's eviction " + (type.equals(BuiltInEviction.FILTER_TYPE)
                    ? "filter" : "order") + " (Jetway's eviction has it built in)", (n, p) -> {
                        p.acceptAll();
                        return new BuiltInEviction(type, n);
                    });
        }
    }

    private static void registerPlanned(PluginRegistry r) {
        r.planned("always-disagg-multimodal-decider", PD_DECIDER, "multimodal requests are not parsed yet");
        r.planned("encode-filter", FILTER, "encode/prefill/decode disaggregation is not built yet");
        r.planned("header-profile-handler", PROFILE_HANDLER, "the coordinator mode is not built yet");
        r.planned("data-parallel-profile-handler", PROFILE_HANDLER, "deprecated in llm-d; not planned");
        r.planned("burst-prefix-cache-producer", DATA_PRODUCER, "burst co-location is not built yet");
        r.planned("session-id-producer", DATA_PRODUCER, "session ids come from InferenceRequest.sessionId");
        r.planned("session-affinity-filter", FILTER, "hard session pinning is not built yet; use the scorer");
        r.planned("context-length-aware", SCORER, "not built yet");
        r.planned("mm-embeddings-cache-producer", DATA_PRODUCER, "multimodal caching is not built yet");
        r.planned("mm-embeddings-cache-scorer", SCORER, "multimodal caching is not built yet");
        r.planned("topology-affinity-filter", FILTER, "topology is not built yet");
        r.planned("topology-affinity-scorer", SCORER, "topology is not built yet");
        r.planned("endpoint-attribute-filter", FILTER, "custom endpoint attributes are not built yet");
        r.planned("endpoint-attribute-scorer", SCORER, "custom endpoint attributes are not built yet");
        r.planned("header-label-affinity-scorer", SCORER, "not built yet");
        r.planned("p2p-source-producer", DATA_PRODUCER, "P2P KV pull is not built yet");
        r.planned("probabilistic-admitter", DATA_PRODUCER, "admission lives in the gateway's flow control");
        r.planned("dcgm-data-source", DATA_LAYER, "GPU telemetry is not built yet");
    }
}
