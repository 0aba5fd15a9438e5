package dev.jetway.bench.workload;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A coding agent's generation call: a short prompt and a long output (a file, a patch, a plan). Each request is the
 * class's system prompt (the agent's instructions, shared) and a task of its own; the long decode is what occupies a
 * replica's batch for many seconds.
 */
public record CodingClass(double weight, IntDistribution systemPromptLen, IntDistribution promptLen,
                          IntDistribution outputLen) implements RequestClass {

    private static final int SYSTEM = 1;
    private static final int TASK = 2;
    private static final int LENGTHS = 3;

    public CodingClass {
        RequestClass.requirePositive(weight);
    }

    @Override
    public String type() {
        return "coding";
    }

    @Override
    public Source source(long classSeed, String name) {
        Segment system = new Segment(FillerWords.seedStartingWith(FillerWords.derive(classSeed, SYSTEM), 1),
                systemPromptLen.sample(new SplittableRandom(FillerWords.derive(classSeed, SYSTEM, 1))));
        return (index, ordinal) -> {
            SplittableRandom lengths = new SplittableRandom(FillerWords.derive(classSeed, LENGTHS, ordinal));
            Segment task = new Segment(FillerWords.derive(classSeed, TASK, ordinal), Math.max(1, promptLen.sample(lengths)));
            int output = Math.max(1, outputLen.sample(lengths));
            return new WorkloadRequest(index, new Prompt(List.of(system, task)), output, name + "-" + ordinal);
        };
    }
}
