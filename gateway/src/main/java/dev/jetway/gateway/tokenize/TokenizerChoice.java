package dev.jetway.gateway.tokenize;

import dev.jetway.gateway.config.PoolConfig;

/**
 * The routing tokenizer a pool uses and why: its {@code tokenizer} setting, or for {@code auto} the one its picker
 * needs. Decided each time the pool is (re)built, so a reload or a discovery change that turns KV-event routing on or
 * off changes it too.
 *
 * <p>The rule of {@code auto}: token ids only have to be the engine's when they are matched against blocks the engine
 * reports (KV events, precise prefix routing); there only the model server's own {@code /tokenize} is right in front
 * of every engine Jetway knows, {@code jetway sim} included. Everywhere else the picker matches a prompt against its
 * own routing history, which needs blocks that are equal for equal prompts and nothing more: the byte estimate gives
 * that with no call and no tokenizer to configure. The simulator's {@code jetway-simple-v1} is never chosen: the
 * gateway cannot tell {@code jetway sim} from vLLM (same metrics), so the commands that start the simulator set it.
 *
 * @param tokenizer the tokenizer used: {@code engine}, {@code estimate}, {@code jetway-simple-v1}, {@code huggingface}
 * @param automatic true when it was chosen by {@code tokenizer: auto}
 * @param reason    why, in a few words (logs, {@code jetway config check})
 */
public record TokenizerChoice(String tokenizer, boolean automatic, String reason) {

    /**
     * The choice for {@code pool}; {@code matchesKvEvents}: the pool's scheduler matches prompts against the blocks
     * the engines report (it has a precise prefix producer).
     */
    public static TokenizerChoice of(PoolConfig pool, boolean matchesKvEvents) {
        if (!PoolConfig.AUTO_TOKENIZER.equals(pool.tokenizer())) {
            return new TokenizerChoice(pool.tokenizer(), false, "set explicitly");
        }
        if (!matchesKvEvents) {
            return new TokenizerChoice(PoolConfig.ESTIMATE_TOKENIZER, true, "the picker matches prompts against its "
                    + "own routing history, which needs consistent blocks, not the engine's token ids");
        }
        if (!pool.servesTokenize()) {
            return new TokenizerChoice(PoolConfig.ESTIMATE_TOKENIZER, true, "the picker matches KV events, but "
                    + pool.engine() + " serves no /tokenize: set tokenizer: huggingface with the model's "
                    + "tokenizer.json for exact token ids");
        }
        if (pool.engineTokenizer().url() == null && pool.endpoints().isEmpty()) {
            return new TokenizerChoice(PoolConfig.ESTIMATE_TOKENIZER, true, "the picker matches KV events, but no "
                    + "endpoint is known yet to ask /tokenize (engine once one is)");
        }
        return new TokenizerChoice(PoolConfig.ENGINE_TOKENIZER, true, "the picker matches KV events, which needs "
                + "the engine's exact token ids");
    }

    /** {@code engine (auto)}, {@code jetway-simple-v1}: what {@code /ready} shows. */
    public String label() {
        return automatic ? tokenizer + " (auto)" : tokenizer;
    }

    /** The label and the reason, for logs and {@code jetway config check}. */
    public String describe() {
        return label() + ": " + reason;
    }
}
