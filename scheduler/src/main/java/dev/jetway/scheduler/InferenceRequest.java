package dev.jetway.scheduler;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the scheduler knows about one request: identity, model, prompt, and the routing hints from its headers.
 *
 * <p>The prompt is given as text ({@link #prompt()}), as chat messages, or as token ids when the caller has
 * tokenized it with the engine's tokenizer; prefix-aware plugins use token ids when present and llm-d's character
 * estimate otherwise. Header names are lower-cased. Build one with {@link #builder(String)}.
 *
 * @param requestId     unique id (also used in logs and decision records)
 * @param model         the {@code model} field of the body
 * @param targetModel   the model actually served (after rewrites); defaults to {@code model}
 * @param prompt        completion prompt text, or null
 * @param tokenIds      prompt token ids when known (never mutated by the scheduler), or null
 * @param messages      chat messages (empty for completions)
 * @param stream        whether the client asked for a streamed response
 * @param maxTokens     {@code max_tokens}, or -1 when absent
 * @param headers       request headers, names lower-cased
 * @param priority      InferenceObjective priority; negative = sheddable
 * @param fairnessId    fairness flow id ({@value #DEFAULT_FAIRNESS_ID} when absent)
 * @param sessionId     session id for session affinity, or null
 * @param loraAdapter   LoRA adapter requested, or null for the base model
 * @param cacheSalt     vLLM {@code cache_salt}, or null
 * @param bodySizeBytes size of the request body in bytes
 */
public record InferenceRequest(
        String requestId,
        String model,
        String targetModel,
        String prompt,
        int[] tokenIds,
        List<ChatMessage> messages,
        boolean stream,
        int maxTokens,
        Map<String, String> headers,
        int priority,
        String fairnessId,
        String sessionId,
        String loraAdapter,
        String cacheSalt,
        long bodySizeBytes) {

    public static final String DEFAULT_FAIRNESS_ID = "default-flow";
    public static final String FAIRNESS_HEADER = "x-llm-d-inference-fairness-id";
    public static final String LEGACY_FAIRNESS_HEADER = "x-gateway-inference-fairness-id";
    public static final String SESSION_HEADER = "x-session-id";

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        model = model == null ? "" : model;
        targetModel = targetModel == null || targetModel.isEmpty() ? model : targetModel;
        messages = messages == null ? List.of() : List.copyOf(messages);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        fairnessId = fairnessId == null || fairnessId.isEmpty() ? DEFAULT_FAIRNESS_ID : fairnessId;
    }

    public static Builder builder(String requestId) {
        return new Builder(requestId);
    }

    /** The value of a request header (name matched case-insensitively), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The model or LoRA name that keys this request's prefix cache: vLLM caches per adapter. */
    public String cacheModel() {
        return loraAdapter != null && !loraAdapter.isEmpty() ? loraAdapter : targetModel;
    }

    /** True when the prompt is known as token ids. */
    public boolean hasTokenIds() {
        return tokenIds != null;
    }

    /** The prompt as one text: the completion prompt, or the chat messages rendered one after another. */
    public String promptText() {
        if (prompt != null) {
            return prompt;
        }
        if (messages.isEmpty()) {
            return "";
        }
        // A stable rendering, not the engine's chat template: it only has to give equal prefixes for equal
        // conversations, as llm-d's JSON rendering of the messages does.
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append('<').append(m.role()).append(">\n").append(m.content()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "InferenceRequest[" + requestId + " model=" + targetModel
                + (tokenIds != null ? " tokens=" + tokenIds.length : " chars=" + promptText().length()) + "]";
    }

    /** Builds an {@link InferenceRequest}; fairness and session ids default from the standard headers. */
    public static final class Builder {
        private final String requestId;
        private String model = "";
        private String targetModel;
        private String prompt;
        private int[] tokenIds;
        private List<ChatMessage> messages = List.of();
        private boolean stream;
        private int maxTokens = -1;
        private final Map<String, String> headers = new HashMap<>();
        private int priority;
        private String fairnessId;
        private String sessionId;
        private String loraAdapter;
        private String cacheSalt;
        private long bodySizeBytes = -1;

        private Builder(String requestId) {
            this.requestId = requestId;
        }

        public Builder model(String model) { this.model = model; return this; }
        public Builder targetModel(String targetModel) { this.targetModel = targetModel; return this; }
        public Builder prompt(String prompt) { this.prompt = prompt; return this; }
        public Builder tokenIds(int[] tokenIds) { this.tokenIds = tokenIds; return this; }
        public Builder messages(List<ChatMessage> messages) { this.messages = messages; return this; }
        public Builder stream(boolean stream) { this.stream = stream; return this; }
        public Builder maxTokens(int maxTokens) { this.maxTokens = maxTokens; return this; }
        public Builder priority(int priority) { this.priority = priority; return this; }
        public Builder fairnessId(String fairnessId) { this.fairnessId = fairnessId; return this; }
        public Builder sessionId(String sessionId) { this.sessionId = sessionId; return this; }
        public Builder loraAdapter(String loraAdapter) { this.loraAdapter = loraAdapter; return this; }
        public Builder cacheSalt(String cacheSalt) { this.cacheSalt = cacheSalt; return this; }
        public Builder bodySizeBytes(long bodySizeBytes) { this.bodySizeBytes = bodySizeBytes; return this; }

        /** Adds one header; the name is lower-cased. */
        public Builder header(String name, String value) {
            headers.put(name.toLowerCase(Locale.ROOT), value);
            return this;
        }

        /** Adds all headers; names are lower-cased. */
        public Builder headers(Map<String, String> all) {
            all.forEach(this::header);
            return this;
        }

        public InferenceRequest build() {
            String fairness = fairnessId;
            if (fairness == null) {
                fairness = headers.getOrDefault(FAIRNESS_HEADER, headers.get(LEGACY_FAIRNESS_HEADER));
            }
            String session = sessionId != null ? sessionId : headers.get(SESSION_HEADER);
            long size = bodySizeBytes >= 0 ? bodySizeBytes : prompt != null ? prompt.length() : 0;
            return new InferenceRequest(requestId, model, targetModel, prompt, tokenIds, messages, stream, maxTokens,
                    headers, priority, fairness, session, loraAdapter, cacheSalt, size);
        }
    }
}
