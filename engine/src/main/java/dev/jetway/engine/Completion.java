package dev.jetway.engine;

/**
 * How a request ended.
 *
 * @param requestId          the request
 * @param reason             why it ended
 * @param promptTokens       prompt length
 * @param cachedPromptTokens prompt tokens served from the prefix cache (vLLM's {@code cached_tokens})
 * @param completionTokens   output tokens generated
 * @param remotePrefill      for a prefill-only run, what the decode engine needs; otherwise null
 * @param timeNanos          when it ended
 */
public record Completion(String requestId, FinishReason reason, int promptTokens, int cachedPromptTokens,
                         int completionTokens, KvTransfer.RemotePrefillParams remotePrefill, long timeNanos) {

    /** vLLM's {@code finish_reason} values that the model produces. */
    public enum FinishReason {
        /** {@code "length"}: reached {@code max_tokens}. */
        LENGTH("length"),
        /** {@code "stop"}: the model emitted EOS. */
        STOP("stop"),
        /** {@code "remote_decode"}: a prefill-only run handed over to a decode engine. */
        REMOTE_DECODE("remote_decode"),
        /** {@code "abort"}: aborted by the client (no response is sent). */
        ABORT("abort");

        private final String wire;

        FinishReason(String wire) {
            this.wire = wire;
        }

        /** The value of {@code finish_reason} on the wire. */
        public String wire() {
            return wire;
        }
    }
}
