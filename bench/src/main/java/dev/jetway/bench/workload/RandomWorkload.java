package dev.jetway.bench.workload;

import java.util.SplittableRandom;

/**
 * Independent prompts of random content with input and output lengths from distributions (inference-perf's
 * {@code random} data). With {@code numPrompts > 0} the prompts repeat cyclically; with 0 every request is new.
 */
public record RandomWorkload(IntDistribution inputLen, IntDistribution outputLen, int numPrompts, long seed)
        implements Workload {

    @Override
    public String type() {
        return "random";
    }

    @Override
    public WorkloadRequest request(long index) {
        long k = numPrompts > 0 ? index % numPrompts : index;
        SplittableRandom rng = new SplittableRandom(FillerWords.derive(seed, 4, k));
        int input = Math.max(1, inputLen.sample(rng));
        int output = Math.max(1, outputLen.sample(rng));
        Segment content = new Segment(FillerWords.seedStartingWith(FillerWords.derive(seed, 5, k), (int) k), input);
        return new WorkloadRequest(index, Prompt.of(content), output, "prompt-" + k);
    }
}
