package dev.jetway.bench.sim;

import dev.jetway.bench.workload.Prompt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token ids of prompts, kept for reuse: a shared-prefix workload sends each of its prompts many times, and every
 * policy of a run sends the same ones. Bounded by total tokens held; past the bound prompts are computed each time.
 * Shared by the parallel policy runs (the arrays are never modified: engines and scheduler only read them).
 */
final class PromptTokens {

    private final ConcurrentHashMap<Prompt, int[]> cache = new ConcurrentHashMap<>();
    private final AtomicLong heldTokens = new AtomicLong();
    private final long maxTokens;

    PromptTokens(long maxTokens) {
        this.maxTokens = maxTokens;
    }

    int[] of(Prompt prompt) {
        int[] tokens = cache.get(prompt);
        if (tokens != null) {
            return tokens;
        }
        tokens = prompt.tokens();
        if (heldTokens.get() + tokens.length <= maxTokens) {
            int[] previous = cache.putIfAbsent(prompt, tokens);
            if (previous != null) {
                return previous;
            }
            heldTokens.addAndGet(tokens.length);
        }
        return tokens;
    }
}
