package dev.jetway.bench.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-turn chat sessions that grow: {@code numSessions} sessions are interleaved (request i belongs to session
 * {@code i mod numSessions}); turn t of a session sends its system prompt, every earlier user message with a synthetic
 * answer of that turn's output length, and a new user message. After {@code turns} turns a session starts over as a
 * new conversation (new system prompt), so a run of any length keeps prompts bounded.
 */
public record ChatWorkload(int numSessions, int turns, IntDistribution systemPromptLen, IntDistribution userLen,
                           IntDistribution outputLen, long seed) implements Workload {

    public ChatWorkload {
        if (numSessions < 1 || turns < 1) {
            throw new IllegalArgumentException("num_sessions and turns must be >= 1");
        }
    }

    @Override
    public String type() {
        return "chat";
    }

    @Override
    public WorkloadRequest request(long index) {
        long session = index % numSessions;
        long round = index / numSessions;
        int turn = (int) (round % turns);
        long conversation = session + (round / turns) * numSessions;
        SplittableRandom sys = new SplittableRandom(FillerWords.derive(seed, 10, conversation));
        List<Segment> segments = new ArrayList<>(2 + 2 * turn);
        segments.add(new Segment(FillerWords.seedStartingWith(FillerWords.derive(seed, 11, conversation),
                (int) conversation), systemPromptLen.sample(sys)));
        for (int t = 0; t < turn; t++) {
            SplittableRandom lengths = new SplittableRandom(FillerWords.derive(seed, 12, conversation, t));
            segments.add(new Segment(FillerWords.derive(seed, 13, conversation, t), Math.max(1, userLen.sample(lengths))));
            segments.add(new Segment(FillerWords.derive(seed, 14, conversation, t), Math.max(1, outputLen.sample(lengths))));
        }
        SplittableRandom lengths = new SplittableRandom(FillerWords.derive(seed, 12, conversation, turn));
        segments.add(new Segment(FillerWords.derive(seed, 13, conversation, turn), Math.max(1, userLen.sample(lengths))));
        int output = Math.max(1, outputLen.sample(lengths));
        return new WorkloadRequest(index, new Prompt(segments), output, "session-" + conversation);
    }
}
