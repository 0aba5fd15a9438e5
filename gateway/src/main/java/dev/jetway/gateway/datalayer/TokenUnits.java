package dev.jetway.gateway.datalayer;

/**
 * How many of the gateway's routing tokens one of the engine's tokens is, learned from the responses: the prompt's
 * length as the pool's routing tokenizer counted it, against the engine's own {@code usage.prompt_tokens}.
 *
 * <p>The routing side counts in its tokenizer's units (the byte estimate's 4-byte pseudo-tokens, a word tokenizer's
 * words, or the engine's own tokens), while an engine reports its KV capacity in its tokens. An approximate prefix
 * index sized by that capacity, and a latency model that compares KV in use with the prompts routed there, must read
 * the capacity in routing tokens, or they believe an endpoint holds more or fewer prompts than it does: with the byte
 * estimate, llama.cpp's two 4,096-token slots looked like room for fewer of the benchmark's 1,600-token prompts than
 * they held, and the router moved groups that could have stayed (docs/performance.md, "Real engine (llama.cpp)").
 *
 * <p>The ratio is token-weighted over the recent responses (each new one weighs {@link #DECAY} less than the one
 * after it), reads 1 until {@link #MIN_ENGINE_TOKENS} engine tokens were seen (the tokenizers agree until shown
 * otherwise), and is clamped to [1/{@link #MAX_RATIO}, {@link #MAX_RATIO}]. With the engine's own tokenizer it
 * stays 1. Thread-safe: responses end on any event loop, the scraper reads it from its own thread.
 */
public final class TokenUnits {

    /** Weight kept by the older observations at each new one: a memory of a few hundred responses. */
    static final double DECAY = 0.995;
    /**
     * Engine tokens observed before the learned ratio is used: one prompt of a few hundred tokens already gives it
     * (the next request may depend on it: a llama.cpp slot sized in the wrong unit forgets the prompt it holds).
     */
    static final double MIN_ENGINE_TOKENS = 256;
    /** Bound on the ratio either way: beyond it the counts are not of the same prompt. */
    static final double MAX_RATIO = 8;

    private double routingTokens;
    private double engineTokens;
    private volatile double ratio = 1;

    /**
     * One response: its prompt was {@code routing} tokens to the router and {@code engine} tokens to the engine
     * (either ≤ 0: unknown, ignored).
     */
    public synchronized void observe(long routing, long engine) {
        if (routing <= 0 || engine <= 0) {
            return;
        }
        routingTokens = routingTokens * DECAY + routing;
        engineTokens = engineTokens * DECAY + engine;
        if (engineTokens >= MIN_ENGINE_TOKENS) {
            ratio = Math.clamp(routingTokens / engineTokens, 1 / MAX_RATIO, MAX_RATIO);
        }
    }

    /** Routing tokens per engine token (1 until learned). */
    public double routingPerEngineToken() {
        return ratio;
    }

    /** {@code engineCount} engine tokens (or blocks of them) in routing tokens (or blocks of them). */
    public long toRouting(long engineCount) {
        double r = ratio;
        return r == 1 ? engineCount : Math.round(engineCount * r);
    }
}
