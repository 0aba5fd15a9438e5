package dev.jetway.scheduler;

import dev.jetway.scheduler.config.ConfigWarning;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.config.PipelineBuilder;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.spi.Admitter;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.Plugin;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.ProfileHandler;
import dev.jetway.scheduler.spi.Rejection;
import dev.jetway.scheduler.spi.ResponseHook;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint picker: runs llm-d's scheduling cycle for a request over a list of candidate endpoints, and the
 * lifecycle hooks the caller reports back (pre-request, first token, completion).
 *
 * <p>Cycle: data producers (once per request) → the profile handler picks profiles → each profile runs its filters,
 * its weighted scorers and its picker → the handler names the primary profile. Pure: no I/O, no threads, time from
 * the {@link SchedulerEnvironment}. Thread-safe: the gateway calls it from many threads at once.
 *
 * <p>Typical use:
 * <pre>{@code
 * Scheduler scheduler = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), SchedulerEnvironment.system());
 * SchedulingResult r = scheduler.schedule(request, endpoints);
 * Endpoint target = r.primaryEndpoint();          // null → answer 503
 * scheduler.preRequest(r, target);                // when sending (again on a retry, with the fallback)
 * scheduler.onFirstToken(r, target);              // first streamed chunk
 * scheduler.onComplete(r, target, success, outputTokens); // end of response, error or client abort
 * }</pre>
 */
public final class Scheduler {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final ProfileHandler profileHandler;
    private final Map<String, SchedulingProfile> profiles;
    private final List<DataProducer> producers;
    private final List<PreRequestHook> preRequestHooks;
    private final List<ResponseHook> responseHooks;
    private final List<Admitter> admitters;
    private final List<Plugin> plugins;
    private final SchedulerEnvironment environment;
    private final String description;
    private final List<ConfigWarning> warnings;
    private final FlowControlConfig flowControl;
    private final RequestHandling requestHandling;
    private volatile PluginTimer pluginTimer;
    private volatile boolean explainAll;
    private final CycleBuffers.Pool bufferPool =
            new CycleBuffers.Pool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    /**
     * A pipeline built by hand (the config loader uses this too).
     *
     * @param plugins every plugin instance; producers and hooks are bound by the interfaces they implement
     * @param description the resolved pipeline in words, for {@code jetway config check}
     */
    public Scheduler(ProfileHandler profileHandler, List<SchedulingProfile> profiles, List<Plugin> plugins,
                     SchedulerEnvironment environment, String description) {
        this(profileHandler, profiles, plugins, environment, description, List.of());
    }

    /**
     * A pipeline built from a config that used old or unsupported forms.
     *
     * @param warnings how each old form was read (see {@link #warnings()})
     */
    public Scheduler(ProfileHandler profileHandler, List<SchedulingProfile> profiles, List<Plugin> plugins,
                     SchedulerEnvironment environment, String description, List<ConfigWarning> warnings) {
        this(profileHandler, profiles, plugins, environment, description, warnings, FlowControlConfig.defaults(false));
    }

    /**
     * A pipeline with the flow-control setup its config resolved.
     *
     * @param flowControl the config's {@code flowControl} section with its policy instances (see
     *                    {@link #flowControl()})
     */
    public Scheduler(ProfileHandler profileHandler, List<SchedulingProfile> profiles, List<Plugin> plugins,
                     SchedulerEnvironment environment, String description, List<ConfigWarning> warnings,
                     FlowControlConfig flowControl) {
        this(profileHandler, profiles, plugins, environment, description, warnings, flowControl,
                RequestHandling.DEFAULT);
    }

    /**
     * A pipeline with the flow-control setup and the request handling its config resolved.
     *
     * @param requestHandling the config's {@code requestHandler} section (see {@link #requestHandling()})
     */
    public Scheduler(ProfileHandler profileHandler, List<SchedulingProfile> profiles, List<Plugin> plugins,
                     SchedulerEnvironment environment, String description, List<ConfigWarning> warnings,
                     FlowControlConfig flowControl, RequestHandling requestHandling) {
        this.warnings = List.copyOf(warnings);
        this.flowControl = Objects.requireNonNull(flowControl, "flowControl");
        this.requestHandling = Objects.requireNonNull(requestHandling, "requestHandling");
        this.profileHandler = Objects.requireNonNull(profileHandler, "profileHandler");
        this.environment = Objects.requireNonNull(environment, "environment");
        Map<String, SchedulingProfile> byName = new LinkedHashMap<>();
        for (SchedulingProfile p : profiles) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate profile name: " + p.name());
            }
        }
        this.profiles = java.util.Collections.unmodifiableMap(byName);
        this.plugins = List.copyOf(plugins);
        List<DataProducer> ps = new ArrayList<>();
        List<PreRequestHook> pre = new ArrayList<>();
        List<ResponseHook> resp = new ArrayList<>();
        List<Admitter> adm = new ArrayList<>();
        for (Plugin p : this.plugins) {
            if (p instanceof Admitter a) {
                adm.add(a);
            }
            if (p instanceof DataProducer d) {
                ps.add(d);
            }
            if (p instanceof PreRequestHook h) {
                pre.add(h);
            }
            if (p instanceof ResponseHook h) {
                resp.add(h);
            }
        }
        ps.sort(Comparator.comparingInt(DataProducer::stage)); // stable: config order within a stage
        this.producers = List.copyOf(ps);
        this.preRequestHooks = List.copyOf(pre);
        this.responseHooks = List.copyOf(resp);
        this.admitters = List.copyOf(adm);
        this.description = description;
    }

    /** Builds the pipeline an {@link EndpointPickerConfig} describes, with llm-d's defaulting rules. */
    public static Scheduler fromConfig(EndpointPickerConfig config, SchedulerEnvironment environment) {
        return PipelineBuilder.build(config, environment);
    }

    /**
     * Runs one scheduling cycle. Never throws for a well-formed request: when no endpoint is eligible the result
     * {@link SchedulingResult#isEmpty() is empty} (the gateway answers 503); when an admitter refuses the request,
     * the result is empty and carries the {@link SchedulingResult#rejection() rejection} to answer with.
     *
     * @param candidates endpoints that may serve the request (e.g. the pool's ready endpoints); not modified
     */
    public SchedulingResult schedule(InferenceRequest request, List<Endpoint> candidates) {
        Objects.requireNonNull(request, "request");
        // An immutable list (as List.of gives) is kept as it is; a mutable one is copied. (A read-only view over a
        // single array copy measured ~3x slower at 64 endpoints with 1k-token prompts; the cause was not isolated.)
        List<Endpoint> endpoints = List.copyOf(candidates);
        SchedulingContext context = new SchedulingContext(request, endpoints, environment);
        DecisionRecord decision = new DecisionRecord(request.requestId(), endpoints, context);
        PluginTimer timer = pluginTimer;
        for (DataProducer p : producers) {
            long t0 = timer == null ? 0 : environment.nanoTime();
            p.produce(context);
            if (timer != null) {
                timer.record("DataProducer", p.type(), p.name(), environment.nanoTime() - t0);
            }
        }
        for (Admitter a : admitters) {
            Rejection rejection = a.admit(context);
            if (rejection != null) {
                return SchedulingResult.rejected(context, decision, rejection);
            }
        }
        Map<String, ProfileResult> results = new HashMap<>(4);
        boolean explainAll = this.explainAll || log.isDebugEnabled();
        CycleBuffers buffers = bufferPool.take();
        try {
            // Bounded: a handler that keeps returning profiles cannot loop forever.
            for (int round = 0; round <= profiles.size(); round++) {
                List<SchedulingProfile> next = profileHandler.pick(context, profiles, results);
                if (next.isEmpty()) {
                    break;
                }
                for (SchedulingProfile profile : next) {
                    ProfileDecision trace = decision.startProfile(profile.name());
                    results.put(profile.name(), profile.run(context, endpoints, buffers, trace, timer, explainAll));
                }
            }
        } finally {
            bufferPool.give(buffers);
        }
        String primary = results.isEmpty() ? null : profileHandler.primaryProfile(context, results);
        PdDecision pd = context.get(PdDecision.KEY);
        if (pd != null) {
            decision.pd(pd.describe());
        }
        SchedulingResult result = new SchedulingResult(context, results, primary, decision);
        if (log.isDebugEnabled()) {
            log.debug("decision {}", decision);
        }
        return result;
    }

    /** Pre-request hooks for the primary endpoint. */
    public void preRequest(SchedulingResult result) {
        Endpoint target = result.primaryEndpoint();
        if (target != null) {
            preRequest(result, target);
        }
    }

    /**
     * The caller is sending the request to {@code target} (the primary, or a fallback on retry): counts it in
     * flight there (one request, and its uncached prompt tokens both until the first token and, as KV it occupies,
     * until completion; moved from an earlier target) and runs the pre-request hooks (prefix index update).
     */
    public void preRequest(SchedulingResult result, Endpoint target) {
        Objects.requireNonNull(target, "target");
        // Hooks first: they see the endpoints as the decision saw them, before this request is counted in flight
        // (the latency model records the features it will learn from).
        PluginTimer timer = pluginTimer;
        for (PreRequestHook h : preRequestHooks) {
            long t0 = timer == null ? 0 : environment.nanoTime();
            h.preRequest(result.context(), result, target);
            if (timer != null) {
                timer.record("PreRequest", h.type(), h.name(), environment.nanoTime() - t0);
            }
        }
        long uncached = uncachedPromptTokens(result.context(), target);
        // a split request's decode leg computes no prompt: its KV arrives from the prefill endpoint
        result.charge.charge(target, result.servedSplit() ? 0 : uncached, uncached);
    }

    /**
     * The caller is sending a split request's prefill leg to {@code target} (the decision's prefill endpoint, or a
     * fallback on retry): counts it in flight there until {@link #onPrefillComplete}, and runs the pre-request hooks
     * that care about prefill endpoints (the approximate prefix index records that {@code target} now holds the
     * prompt).
     */
    public void preRequestPrefill(SchedulingResult result, Endpoint target) {
        Objects.requireNonNull(target, "target");
        for (PreRequestHook h : preRequestHooks) {
            h.preRequestPrefill(result.context(), result, target);
        }
        long uncached = uncachedPromptTokens(result.context(), target);
        result.prefillCharge.charge(target, uncached, uncached);
    }

    /**
     * The prefill leg on {@code served} ended (its response arrived, it failed, or the client went away during it):
     * releases its in-flight counts (once, however often called) and lets the response hooks learn from it.
     */
    public void onPrefillComplete(SchedulingResult result, Endpoint served, boolean success) {
        result.prefillCharge.releaseAll();
        long now = environment.nanoTime();
        for (ResponseHook h : responseHooks) {
            h.onPrefillComplete(result.context(), result, served, success, now);
        }
    }

    /**
     * A split request's prefill leg could not run and the pool allows aggregated serving: the decode endpoint will
     * compute the prompt itself, and is charged (and its latency model fed) as for any request. Call before
     * {@link #preRequest}.
     */
    public void fallBackToAggregated(SchedulingResult result) {
        result.fellBackToAggregated = true;
    }

    /**
     * The decision serves the rest of a stream that another endpoint started and failed mid-response (request
     * migration): the endpoint is charged as for any request, but its response teaches the latency model nothing:
     * its prompt carries the answer so far and its output is only the remainder, so neither its time to first token
     * nor its time per token is an observation of the request the decision's features describe. Call before
     * {@link #preRequest}.
     */
    public void continuation(SchedulingResult result) {
        result.continuation = true;
    }

    /** The first token came back from {@code served}: its prompt tokens are no longer waiting for prefill. */
    public void onFirstToken(SchedulingResult result, Endpoint served) {
        result.charge.releaseTokens();
        long now = environment.nanoTime();
        for (ResponseHook h : responseHooks) {
            h.onFirstToken(result.context(), result, served, now);
        }
    }

    /**
     * The request is over on {@code served} (finished, failed, or the client went away). Safe to call more than
     * once and without {@link #onFirstToken}: the in-flight counts are released exactly once.
     */
    public void onComplete(SchedulingResult result, Endpoint served, boolean success) {
        onComplete(result, served, success, -1);
    }

    /**
     * As {@link #onComplete(SchedulingResult, Endpoint, boolean)}, knowing how many tokens the response generated
     * (the latency model learns TPOT, and non-streamed TTFT, from it; negative when unknown).
     */
    public void onComplete(SchedulingResult result, Endpoint served, boolean success, int outputTokens) {
        result.charge.releaseAll();
        result.prefillCharge.releaseAll(); // a prefill leg the caller never reported as over
        long now = environment.nanoTime();
        for (ResponseHook h : responseHooks) {
            h.onComplete(result.context(), result, served, success, outputTokens, now);
        }
    }

    /** Headers plugins want on the client response (e.g. {@code x-session-token}); usually empty. */
    public Map<String, String> responseHeaders(SchedulingResult result, Endpoint served) {
        Map<String, String> out = Map.of();
        for (ResponseHook h : responseHooks) {
            Map<String, String> more = h.responseHeaders(result.context(), served);
            if (!more.isEmpty()) {
                if (out.isEmpty()) {
                    out = new LinkedHashMap<>();
                }
                out.putAll(more);
            }
        }
        return out;
    }

    /**
     * Whether each {@link DecisionRecord} explains every scored endpoint (as the debug log does) instead of the best
     * {@value DecisionRecord#COMPACT_MAX_ENDPOINTS} and the picked ones. Off by default: then a cycle allocates
     * nothing per candidate except the per-endpoint attributes the result keeps for its hooks (docs/performance.md).
     */
    public void setExplainAll(boolean explainAll) {
        this.explainAll = explainAll;
    }

    /** Reports every plugin's duration to {@code timer} from now on (null stops it). */
    public void setPluginTimer(PluginTimer timer) {
        this.pluginTimer = timer;
    }

    /** Profiles by name, in config order. */
    public Map<String, SchedulingProfile> profiles() {
        return profiles;
    }

    public ProfileHandler profileHandler() {
        return profileHandler;
    }

    /** Every plugin instance of the pipeline (including data-layer settings the gateway reads). */
    public List<Plugin> plugins() {
        return plugins;
    }

    /** The plugin instance with this name, if it exists and has this type. */
    public <T> Optional<T> plugin(String name, Class<T> type) {
        for (Plugin p : plugins) {
            if (p.name().equals(name) && type.isInstance(p)) {
                return Optional.of(type.cast(p));
            }
        }
        return Optional.empty();
    }

    /** All plugin instances of a Java type (e.g. the data-layer settings). */
    public <T> List<T> plugins(Class<T> type) {
        return plugins.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public SchedulerEnvironment environment() {
        return environment;
    }

    /**
     * The config's flow control, resolved: whether the {@code flowControl} feature gate is on, the limits, TTLs,
     * bands and the policy instances. The scheduler does not queue anything itself: the host builds one
     * {@link dev.jetway.scheduler.flow.FlowController} per pool from this (and, when it is off, may still use its
     * {@link FlowControlConfig#detector()} for llm-d's admission without flow control).
     */
    public FlowControlConfig flowControl() {
        return flowControl;
    }

    /**
     * The config's {@code requestHandler} section: whether the host writes the request's priority into the body it
     * sends ({@link RequestHandling#propagatePriority()}).
     */
    public RequestHandling requestHandling() {
        return requestHandling;
    }

    /** The resolved pipeline, with every default filled in. */
    public String describe() {
        return description;
    }

    /**
     * What the config said in an older or unsupported form and how it was read: renamed types, moved or retired
     * fields, sections Jetway does not act on. Empty for a config in today's form.
     */
    public List<ConfigWarning> warnings() {
        return warnings;
    }

    /** Prompt tokens {@code target} still has to prefill: the whole prompt minus what it is believed to cache. */
    static long uncachedPromptTokens(SchedulingContext context, Endpoint target) {
        long count = context.promptTokenCount();
        PrefixMatchInfo match = context.get(PrefixMatchInfo.DEFAULT_KEY);
        if (match != null) {
            int slot = context.endpoints().indexOf(target);
            if (slot >= 0) {
                count -= Math.min(count, match.matchedTokens(slot));
            }
        }
        return Math.max(0, count);
    }
}
