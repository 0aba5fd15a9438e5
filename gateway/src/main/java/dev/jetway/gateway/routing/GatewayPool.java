package dev.jetway.gateway.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.tokenize.TokenizerChoice;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.flow.FlowController;
import java.util.ArrayList;
import java.util.List;

/**
 * One pool as requests see it: its endpoints, the scheduler built from its EndpointPickerConfig, and the tokenizer
 * that must match its model servers. Immutable: a config reload builds a new pool (reusing endpoints and the
 * scheduler when they did not change), so a request keeps the pool it started with.
 */
public final class GatewayPool {

    private final PoolConfig config;
    private final List<GatewayEndpoint> endpoints;
    private final Scheduler scheduler;
    private final TokenizerChoice tokenizerChoice;
    private final Tokenizer tokenizer;
    private final FlowController flowController;

    public GatewayPool(PoolConfig config, List<GatewayEndpoint> endpoints, Scheduler scheduler,
                       TokenizerChoice tokenizerChoice, Tokenizer tokenizer, FlowController flowController) {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.scheduler = scheduler;
        this.tokenizerChoice = tokenizerChoice;
        this.tokenizer = tokenizer;
        this.flowController = flowController;
    }

    /** The pool's flow controller (its EndpointPickerConfig has the {@code flowControl} feature gate), or null. */
    public FlowController flowController() {
        return flowController;
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    public JsonNode pickerConfig() {
        return config.endpointPicker();
    }

    public List<GatewayEndpoint> endpoints() {
        return endpoints;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Which routing tokenizer the pool uses and why ({@code tokenizer: auto} decides per pool). */
    public TokenizerChoice tokenizerChoice() {
        return tokenizerChoice;
    }

    /** The routing tokenizer, or null when the scheduler estimates tokens from the text itself. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The scheduler's candidates: the endpoints in rotation (scrapes succeeding, a health check passed, not ejected).
     * When none is: the ready endpoints not ejected (none is admitted: each is new or failed its checks; the pool
     * serves rather than refuses); then the endpoints whose scrapes fail but which accept connections: a pool
     * whose metrics all fail at once (a scrape blackout, a network policy, a metrics server stuck under load) keeps
     * serving on the gateway's own counters instead of refusing every request, while a server that refuses
     * connections (down) stays out. Empty when nothing can take a request.
     */
    public List<Endpoint> readyCandidates() {
        List<Endpoint> out = new ArrayList<>(endpoints.size());
        for (GatewayEndpoint e : endpoints) {
            if (e.inRotation()) {
                out.add(e.endpoint());
            }
        }
        if (out.isEmpty()) {
            for (GatewayEndpoint e : endpoints) {
                if (e.ready() && !e.standing().ejected()) {
                    out.add(e.endpoint());
                }
            }
        }
        if (out.isEmpty()) {
            for (GatewayEndpoint e : endpoints) {
                if (e.health().reachable()) {
                    out.add(e.endpoint());
                }
            }
        }
        return out;
    }

    /**
     * Whether the pool can serve by what its scrapes have shown, the rule {@link #readyCandidates} follows without
     * counting on endpoints not scraped yet: a ready endpoint whose scrape has succeeded, or, when no endpoint is
     * ready, one that answered its scrape. A pool whose endpoints just joined is not serving until the first scrape.
     */
    public boolean serving() {
        boolean anyReady = false;
        for (GatewayEndpoint e : endpoints) {
            if (e.ready()) {
                anyReady = true;
                if (e.health().scraped()) {
                    return true;
                }
            }
        }
        if (anyReady) {
            return false;
        }
        for (GatewayEndpoint e : endpoints) {
            if (e.health().probed() && e.health().reachable()) {
                return true;
            }
        }
        return false;
    }

    /** Endpoints in rotation: ready, checked, not ejected. */
    public int readyCount() {
        int n = 0;
        for (GatewayEndpoint e : endpoints) {
            if (e.inRotation()) {
                n++;
            }
        }
        return n;
    }

    public GatewayEndpoint endpoint(Endpoint e) {
        for (GatewayEndpoint g : endpoints) {
            if (g.endpoint() == e) {
                return g;
            }
        }
        return null;
    }

    /** True when this pool serves {@code model}: configured, or listed by one of its endpoints (e.g. a LoRA adapter). */
    public boolean serves(String model) {
        if (config.models().contains(model)) {
            return true;
        }
        for (GatewayEndpoint e : endpoints) {
            if (e.servedModels().contains(model)) {
                return true;
            }
        }
        return false;
    }

    /** The adapter name when {@code model} is not one of the pool's base models, else null. */
    public String loraAdapterFor(String model) {
        return config.models().isEmpty() || config.models().contains(model) ? null : model;
    }

    /** Model ids to list in {@code /v1/models}. */
    public List<String> modelIds() {
        List<String> out = new ArrayList<>(config.models());
        for (GatewayEndpoint e : endpoints) {
            if (e.ready()) {
                for (String m : e.servedModels()) {
                    if (!out.contains(m)) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }
}
