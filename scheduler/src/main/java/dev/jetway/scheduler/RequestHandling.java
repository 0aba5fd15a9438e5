package dev.jetway.scheduler;

import java.util.Locale;

/**
 * The {@code requestHandler} section of an EndpointPickerConfig, as far as Jetway acts on it.
 *
 * @param propagatePriority llm-d's {@code requestHandler.propagatePriority}: the request's resolved priority (its
 *                          InferenceObjective's) goes into the body the model server gets, as the {@code priority}
 *                          field of the endpoint's engine ({@link #enginePriority}), so that an engine running its own
 *                          priority scheduling (vLLM {@code --scheduling-policy priority}) serves the important
 *                          requests first too. A {@code priority} the client sent is replaced.
 */
public record RequestHandling(boolean propagatePriority) {

    /** llm-d's default: the body goes out as the client sent it. */
    public static final RequestHandling DEFAULT = new RequestHandling(false);

    /** llm-d's endpoint label naming the engine behind an endpoint ({@code vllm}, {@code sglang}). */
    public static final String ENGINE_TYPE_LABEL = "llm-d.ai/engine-type";

    /**
     * The {@code priority} body field for an endpoint's engine, from an InferenceObjective priority (higher = more
     * important). vLLM serves a lower value first, so it gets the negated priority; SGLang (labelled
     * {@value #ENGINE_TYPE_LABEL}: {@code sglang}) serves a higher value first and gets it as it is. An endpoint
     * without the label is taken for vLLM, the engine Jetway fronts by default.
     */
    public static int enginePriority(int objectivePriority, Endpoint endpoint) {
        String engine = endpoint == null ? null : endpoint.labels().get(ENGINE_TYPE_LABEL);
        boolean higherFirst = engine != null && engine.strip().toLowerCase(Locale.ROOT).equals("sglang");
        // -Integer.MIN_VALUE overflows; no InferenceObjective priority is that low in practice, but stay in range
        return higherFirst ? objectivePriority : objectivePriority == Integer.MIN_VALUE ? Integer.MAX_VALUE
                : -objectivePriority;
    }

    /** The line {@code jetway config check} prints. */
    public String describe() {
        return "request handling: propagatePriority " + (propagatePriority
                ? "on: the resolved priority goes into the body's priority field (vLLM: negated, lower first; "
                + ENGINE_TYPE_LABEL + ": sglang: as is); model servers must run priority scheduling "
                + "(vLLM --scheduling-policy priority), or they refuse a priority other than 0"
                : "off") + "\n";
    }
}
