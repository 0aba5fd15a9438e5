package dev.jetway.bench.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-turn conversations generated from a model of Mooncake's FAST'25 conversation trace (docs/benchmarking.md,
 * "conversation", has the measured statistics and where each parameter comes from): sessions start as a Poisson
 * process; each turn is followed by another with a fixed probability (a geometric number of turns), after a think
 * time of minutes; turn k+1's prompt is turn k's prompt, the model's answer to it ({@link Prompt#engineAnswer}) and a
 * new user message, so it extends turn k's prefix exactly. A user message is typed text, sometimes with a pasted
 * document (more often in the first turn). Every session starts with the same system prompt.
 *
 * <p>All requests, with their send times, are generated up front from the seed ({@link TimedWorkload}); the load
 * section does not apply. A first turn whose prompt and output would not fit {@code maxContext} is drawn again; a
 * session ends when its next turn would not fit (the user starts over), or when the next turn would come after
 * {@code durationSeconds}.
 */
public final class ConversationWorkload implements TimedWorkload {

    /**
     * The generator's parameters.
     *
     * @param durationSeconds     span of the generated traffic: nothing is sent after it
     * @param sessionRate         new sessions per second (Poisson)
     * @param continueProbability chance that a turn is followed by another: turns per session are geometric with mean
     *                            {@code 1 / (1 - continueProbability)}
     * @param thinkTime           seconds from one turn's send to the next turn's
     * @param systemPromptLen     the system prompt every session starts with (one for all)
     * @param messageLen          typed text of a user message
     * @param documentFirst       chance that a session's first message carries a document
     * @param documentLater       chance that a later message does
     * @param documentLen         length of a pasted document
     * @param outputLen           answer length
     * @param maxContext          prompt + output of a request at most (the model's context, e.g. 40,960)
     */
    public record Spec(double durationSeconds, double sessionRate, double continueProbability,
                       IntDistribution thinkTime, IntDistribution systemPromptLen, IntDistribution messageLen,
                       double documentFirst, double documentLater, IntDistribution documentLen,
                       IntDistribution outputLen, int maxContext, long seed) {

        public Spec {
            if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
                throw new IllegalArgumentException("duration must be > 0 s: " + durationSeconds);
            }
            if (!(sessionRate > 0) || Double.isInfinite(sessionRate)) {
                throw new IllegalArgumentException("session_rate must be > 0: " + sessionRate);
            }
            if (!(continueProbability >= 0 && continueProbability < 1)) {
                throw new IllegalArgumentException("continue_probability must be in [0, 1): " + continueProbability);
            }
            if (!(documentFirst >= 0 && documentFirst <= 1) || !(documentLater >= 0 && documentLater <= 1)) {
                throw new IllegalArgumentException("document probabilities must be in [0, 1]: " + documentFirst + ", "
                        + documentLater);
            }
            if (maxContext < 2) {
                throw new IllegalArgumentException("max_context must be >= 2: " + maxContext);
            }
        }

        /** Mean turns per session the parameters give, before the context limit and the end of the span cut any. */
        public double meanTurns() {
            return 1 / (1 - continueProbability);
        }
    }

    /** One generated request: when it is sent, the session and turn it is, what it sends. */
    public record Turn(long sendNanos, int session, int turn, Prompt prompt, int maxTokens) {
    }

    private static final int ARRIVALS = 1;
    private static final int SESSION = 2;
    private static final int SYSTEM = 3;
    private static final int TEXT = 4;
    private static final int DOCUMENT = 5;
    /** Draws of a first turn that does not fit the context before the session is dropped (a few % need a second). */
    private static final int FIRST_TURN_ATTEMPTS = 64;

    private final Spec spec;
    private final List<Turn> turns;
    private final int sessions;

    public ConversationWorkload(Spec spec) {
        this.spec = spec;
        Segment system = new Segment(FillerWords.seedStartingWith(FillerWords.derive(spec.seed(), SYSTEM), 0),
                spec.systemPromptLen().sample(new SplittableRandom(FillerWords.derive(spec.seed(), SYSTEM, 1))));
        List<Turn> all = new ArrayList<>();
        SplittableRandom arrivals = new SplittableRandom(FillerWords.derive(spec.seed(), ARRIVALS));
        long end = Math.round(spec.durationSeconds() * 1e9);
        double t = exponential(arrivals, 1e9 / spec.sessionRate());
        int s = 0;
        for (; t < end; s++) {
            generateSession(s, Math.round(t), end, system, all);
            t += exponential(arrivals, 1e9 / spec.sessionRate());
        }
        sessions = s;
        // Send order; ties (whole-second think times can collide) by session, then turn, so the order is fixed.
        all.sort(Comparator.comparingLong(Turn::sendNanos).thenComparingInt(Turn::session).thenComparingInt(Turn::turn));
        turns = List.copyOf(all);
    }

    private void generateSession(int session, long start, long end, Segment system, List<Turn> out) {
        SplittableRandom rng = new SplittableRandom(FillerWords.derive(spec.seed(), SESSION, session));
        List<Segment> history = new ArrayList<>();
        history.add(system);
        int systemLen = system.length();
        Message first = null;
        for (int attempt = 0; attempt < FIRST_TURN_ATTEMPTS && first == null; attempt++) {
            Message m = message(rng, session, 0, spec.documentFirst());
            if (systemLen + m.length() + m.output() <= spec.maxContext()) {
                first = m;
            }
        }
        if (first == null) {
            return; // the distributions cannot fit the context: the session never starts
        }
        long send = start;
        Message m = first;
        int contextLen = systemLen;
        for (int turn = 0; ; turn++) {
            history.addAll(m.segments());
            contextLen += m.length();
            Prompt prompt = new Prompt(history);
            out.add(new Turn(send, session, turn, prompt, m.output()));
            if (!(rng.nextDouble() < spec.continueProbability())) {
                return;
            }
            send += Math.round(Math.max(0, spec.thinkTime().sample(rng)) * 1e9);
            Message next = message(rng, session, turn + 1, spec.documentLater());
            int nextLen = contextLen + m.output() + next.length();
            if (send >= end || nextLen + next.output() > spec.maxContext()) {
                return;
            }
            history.add(prompt.engineAnswer(m.output()));
            contextLen += m.output();
            m = next;
        }
    }

    /** A user message (a document if drawn, then typed text) and the length of the answer it gets. */
    private record Message(List<Segment> segments, int length, int output) {
    }

    private Message message(SplittableRandom rng, int session, int turn, double documentChance) {
        List<Segment> segments = new ArrayList<>(2);
        if (rng.nextDouble() < documentChance) {
            segments.add(new Segment(FillerWords.derive(spec.seed(), DOCUMENT, session, turn),
                    Math.max(1, spec.documentLen().sample(rng))));
        }
        segments.add(new Segment(FillerWords.derive(spec.seed(), TEXT, session, turn),
                Math.max(1, spec.messageLen().sample(rng))));
        int length = segments.stream().mapToInt(Segment::length).sum();
        return new Message(segments, length, Math.max(1, spec.outputLen().sample(rng)));
    }

    private static double exponential(SplittableRandom rng, double mean) {
        return -mean * Math.log(1.0 - rng.nextDouble());
    }

    public Spec spec() {
        return spec;
    }

    /** Sessions started in the span (a session whose first turn cannot fit the context is counted, but sends nothing). */
    public int sessions() {
        return sessions;
    }

    /** Every generated request in send order. */
    public List<Turn> turns() {
        return turns;
    }

    @Override
    public String type() {
        return "conversation";
    }

    @Override
    public int size() {
        return turns.size();
    }

    @Override
    public long arrivalNanos(int index) {
        return turns.get(index).sendNanos();
    }

    @Override
    public WorkloadRequest request(long index) {
        if (index < 0 || index >= turns.size()) {
            throw new IndexOutOfBoundsException("conversation workload has " + turns.size() + " requests: " + index);
        }
        Turn t = turns.get((int) index);
        return new WorkloadRequest(index, t.prompt(), t.maxTokens(), "conversation-" + t.session());
    }
}
