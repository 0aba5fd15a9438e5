package dev.jetway.bench.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-turn chat whose context grows, as {@link ChatWorkload}: {@code numSessions} sessions interleaved (the class's
 * request j belongs to session {@code j mod numSessions}), turn t carrying the system prompt and every earlier user
 * message with the model's answer, then a new message; after {@code turns} turns the session starts a new
 * conversation. Unlike ChatWorkload, the system prompt is the chat application's, shared by every session, and the
 * answers in the history are exactly what the modelled engine generated ({@link Prompt#engineAnswer}), so turn t+1
 * extends turn t's prompt and answer.
 */
public record ChatClass(double weight, int numSessions, int turns, IntDistribution systemPromptLen,
                        IntDistribution userLen, IntDistribution outputLen) implements RequestClass {

    private static final int SYSTEM = 1;
    private static final int USER = 2;
    private static final int LENGTHS = 3;

    public ChatClass {
        RequestClass.requirePositive(weight);
        if (numSessions < 1 || turns < 1) {
            throw new IllegalArgumentException("num_sessions and turns must be >= 1");
        }
    }

    @Override
    public String type() {
        return "chat";
    }

    @Override
    public Source source(long classSeed, String name) {
        Segment system = new Segment(FillerWords.seedStartingWith(FillerWords.derive(classSeed, SYSTEM), 2),
                systemPromptLen.sample(new SplittableRandom(FillerWords.derive(classSeed, SYSTEM, 1))));
        return (index, ordinal) -> {
            long session = ordinal % numSessions;
            long round = ordinal / numSessions;
            int turn = (int) (round % turns);
            long conversation = session + (round / turns) * numSessions;
            List<Segment> segments = new ArrayList<>(2 + 2 * turn);
            segments.add(system);
            int output = 0;
            for (int t = 0; t <= turn; t++) {
                SplittableRandom lengths = new SplittableRandom(FillerWords.derive(classSeed, LENGTHS, conversation, t));
                segments.add(new Segment(FillerWords.derive(classSeed, USER, conversation, t),
                        Math.max(1, userLen.sample(lengths))));
                output = Math.max(1, outputLen.sample(lengths));
                if (t < turn) {
                    segments.add(new Prompt(segments).engineAnswer(output));
                }
            }
            return new WorkloadRequest(index, new Prompt(segments), output, name + "-" + conversation);
        };
    }
}
