package dev.jetway.kvcache.index.precise;

/** Likely cause when Jetway's request keys stop agreeing with the blocks an engine reports. */
public enum ParityHint {
    NONE("request keys agree with the engine's reported blocks"),
    TOO_FEW_SAMPLES("not enough routed requests with new blocks to judge yet"),
    BLOCK_SIZE_MISMATCH("the engine reports a different block size than Jetway is configured with: set the index "
            + "block size to the engine's --block-size"),
    TOKENS_DIFFER("the engine cached different tokens than Jetway hashed: check the tokenizer, the chat template, "
            + "the cache salt and the model or LoRA name Jetway uses for this pool");

    private final String advice;

    ParityHint(String advice) {
        this.advice = advice;
    }

    public String advice() {
        return advice;
    }
}
