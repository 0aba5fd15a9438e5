package dev.jetway.bench.workload;

import java.util.HashSet;
import java.util.Set;

/**
 * The prefix reuse a workload offers at best: with an unbounded cache shared by all requests, the share of prompt
 * tokens that are leading full blocks an earlier prompt already had. This is the ceiling a routing policy and a finite
 * KV cache can approach, and what Mooncake's traces express with their 512-token {@code hash_ids} (a block whose id
 * appeared before is reusable).
 */
public final class PrefixReuse {

    private PrefixReuse() {
    }

    /** Reusable share of all prompt tokens, in blocks of {@code blockTokens}, for prompts in issue order. */
    public static double share(Iterable<Prompt> prompts, int blockTokens) {
        if (blockTokens < 1) {
            throw new IllegalArgumentException("block size must be >= 1: " + blockTokens);
        }
        Set<Long> seen = new HashSet<>();
        long total = 0;
        long reused = 0;
        for (Prompt p : prompts) {
            int[] tokens = p.tokens();
            total += tokens.length;
            long key = 0x5EED_B10CL;
            boolean hit = true;
            for (int b = 0; (b + 1) * blockTokens <= tokens.length; b++) {
                for (int j = b * blockTokens; j < (b + 1) * blockTokens; j++) {
                    key = FillerWords.mix(key * 0x9E3779B97F4A7C15L + tokens[j]);
                }
                // a block's key covers its whole prefix, so a seen key means the prefix up to it was seen
                boolean added = seen.add(key);
                hit = hit && !added;
                if (hit) {
                    reused += blockTokens;
                }
            }
        }
        return total == 0 ? 0 : (double) reused / total;
    }
}
