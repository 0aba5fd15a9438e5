package dev.jetway.bench.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * inference-perf's {@code shared_prefix} data: {@code numGroups} system prompts, {@code numPromptsPerGroup} questions
 * each. Prompt {@code (g, p)} is system prompt g followed by question (g, p); the questions of a group start with
 * different words (groups of up to as many prompts as there are filler words), so the prompts of a group share
 * exactly the system prompt. All prompts are shuffled once, then issued cyclically ({@code i mod N}), as
 * inference-perf does.
 *
 * <p>Multi-turn ({@code enable_multi_turn_chat}): each prompt is a user; the k-th time a user is issued, its prompt is
 * the system prompt, then for each earlier turn the question and a synthetic answer of that turn's output length,
 * then a new question. The load generator does not wait for the previous answer (open loop), and the answer text is
 * Jetway's synthetic one, so the server caches the system prompt and earlier questions but not its own earlier answers.
 */
public final class SharedPrefixWorkload implements Workload {

    /** The parameters as inference-perf names them. */
    public record Spec(int numGroups, int numPromptsPerGroup, IntDistribution systemPromptLen,
                       IntDistribution questionLen, IntDistribution outputLen, long seed, boolean multiTurn) {
        public Spec {
            if (numGroups < 1 || numPromptsPerGroup < 1) {
                throw new IllegalArgumentException("num_groups and num_prompts_per_group must be >= 1");
            }
        }
    }

    private static final int SYSTEM = 1;
    private static final int QUESTION = 2;
    private static final int ANSWER = 3;
    private static final int LENGTHS = 4;

    private final Spec spec;
    private final int[] systemLen;
    private final int[] order;

    public SharedPrefixWorkload(Spec spec) {
        this.spec = spec;
        SplittableRandom rng = new SplittableRandom(spec.seed());
        systemLen = new int[spec.numGroups()];
        for (int g = 0; g < systemLen.length; g++) {
            systemLen[g] = spec.systemPromptLen().sample(rng);
        }
        int n = spec.numGroups() * spec.numPromptsPerGroup();
        order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates: the one shuffle before cyclic issue
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    public Spec spec() {
        return spec;
    }

    /** Number of distinct prompts (users in multi-turn mode): the cycle length. */
    public int size() {
        return order.length;
    }

    @Override
    public String type() {
        return "shared_prefix";
    }

    @Override
    public WorkloadRequest request(long index) {
        int n = order.length;
        int k = order[(int) (index % n)];
        int turn = spec.multiTurn() ? (int) (index / n) : 0;
        int g = k / spec.numPromptsPerGroup();
        int p = k % spec.numPromptsPerGroup();
        List<Segment> segments = new ArrayList<>(2 + 2 * turn);
        segments.add(new Segment(FillerWords.seedStartingWith(FillerWords.derive(spec.seed(), SYSTEM, g), g),
                systemLen[g]));
        for (int t = 0; t < turn; t++) {
            SplittableRandom lengths = new SplittableRandom(FillerWords.derive(spec.seed(), LENGTHS, g, p, t));
            segments.add(question(g, p, t, spec.questionLen().sample(lengths)));
            segments.add(new Segment(FillerWords.derive(spec.seed(), ANSWER, g, p, t), spec.outputLen().sample(lengths)));
        }
        SplittableRandom lengths = new SplittableRandom(FillerWords.derive(spec.seed(), LENGTHS, g, p, turn));
        segments.add(question(g, p, turn, spec.questionLen().sample(lengths)));
        int maxTokens = Math.max(1, spec.outputLen().sample(lengths));
        String session = spec.multiTurn() ? "group-" + g + "-user-" + p : "group-" + g;
        return new WorkloadRequest(index, new Prompt(segments), maxTokens, session);
    }

    private Segment question(int g, int p, int turn, int length) {
        return new Segment(FillerWords.seedStartingWith(FillerWords.derive(spec.seed(), QUESTION, g, p, turn), p), length);
    }
}
