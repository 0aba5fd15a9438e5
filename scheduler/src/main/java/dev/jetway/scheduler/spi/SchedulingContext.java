package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerEnvironment;
import java.util.List;

/**
 * Everything one scheduling cycle knows: the request, the candidate endpoints, the time the cycle started, and the
 * attributes data producers computed once for all plugins (llm-d's CycleState plus endpoint attributes). The
 * scheduler keeps it in the {@link dev.jetway.scheduler.SchedulingResult} so that lifecycle hooks see the same
 * attributes (e.g. the request's block keys) without recomputing them.
 *
 * <p>Not thread-safe: one cycle runs on one thread; hooks for one request are called one after another.
 */
public final class SchedulingContext {

    private final InferenceRequest request;
    private final List<Endpoint> endpoints;
    private final SchedulerEnvironment environment;
    private final long startNanos;
    // A handful of attributes per request: a flat array beats a HashMap here.
    private Object[] attributes = new Object[8];
    private int attributeCount;

    public SchedulingContext(InferenceRequest request, List<Endpoint> endpoints, SchedulerEnvironment environment) {
        this.request = request;
        this.endpoints = endpoints;
        this.environment = environment;
        this.startNanos = environment.nanoTime();
    }

    public InferenceRequest request() {
        return request;
    }

    /** All candidate endpoints of this request; {@link Candidates#slot(int)} indexes this list. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public SchedulerEnvironment environment() {
        return environment;
    }

    /** Clock reading when the cycle started: every plugin of the cycle sees the same "now". */
    public long nowNanos() {
        return startNanos;
    }

    /**
     * The request's prompt length in tokens: the {@code token-producer}'s count when one ran, else the caller's
     * token ids, else llm-d's estimate of about 4 characters per token.
     */
    public long promptTokenCount() {
        PromptTokens tokens = get(PromptTokens.KEY);
        if (tokens != null) {
            return tokens.count();
        }
        if (request.tokenIds() != null) {
            return request.tokenIds().length;
        }
        return (request.promptText().length() + 3) / 4;
    }

    /** Stores an attribute, replacing an earlier value of the same key. */
    public <T> void put(AttributeKey<T> key, T value) {
        for (int i = 0; i < attributeCount; i += 2) {
            if (attributes[i].equals(key)) {
                attributes[i + 1] = value;
                return;
            }
        }
        if (attributeCount == attributes.length) {
            attributes = java.util.Arrays.copyOf(attributes, attributes.length * 2);
        }
        attributes[attributeCount++] = key;
        attributes[attributeCount++] = value;
    }

    /** The attributes that explain candidates in the decision record, in the order they were first written. */
    public java.util.List<EndpointExplainer> explainers() {
        java.util.List<EndpointExplainer> out = null;
        for (int i = 1; i < attributeCount; i += 2) {
            if (attributes[i] instanceof EndpointExplainer e) {
                if (out == null) {
                    out = new java.util.ArrayList<>(2);
                }
                boolean seen = false; // the same value may sit under a producer's key and the default one
                for (EndpointExplainer known : out) {
                    seen |= known == e;
                }
                if (!seen) {
                    out.add(e);
                }
            }
        }
        return out == null ? java.util.List.of() : out;
    }

    /** The attribute's value, or null when no producer wrote it. */
    public <T> T get(AttributeKey<T> key) {
        for (int i = 0; i < attributeCount; i += 2) {
            if (attributes[i].equals(key)) {
                return key.type().cast(attributes[i + 1]);
            }
        }
        return null;
    }
}
