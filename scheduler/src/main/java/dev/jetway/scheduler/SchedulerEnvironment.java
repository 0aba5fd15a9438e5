package dev.jetway.scheduler;

import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.Tokenizer;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * What the scheduler takes from the outside world: time, randomness and (optionally) the engine's tokenizer.
 * The gateway passes wall-clock time; the what-if simulator passes its virtual clock and a fixed seed so that a run
 * is reproducible.
 *
 * @param nanoClock monotonic time in nanoseconds (same clock as {@link EndpointMetrics#updateTimeNanos()})
 * @param random    randomness for tie-breaks and random pickers; must be safe for the threads that schedule
 * @param tokenizer the engine's tokenizer when the caller knows it (the {@code token-producer}'s {@code engine}
 *                  backend uses it), or null
 * @param preciseIndex the KV-event-fed prefix index the caller maintains (the gateway's or simulator's event
 *                  intake writes it), read by {@code precise-prefix-cache-producer}; or null
 */
public record SchedulerEnvironment(LongSupplier nanoClock, RandomGenerator random, Tokenizer tokenizer,
                                   PrecisePrefixIndex preciseIndex) {

    public SchedulerEnvironment {
        Objects.requireNonNull(nanoClock, "nanoClock");
        Objects.requireNonNull(random, "random");
    }

    public SchedulerEnvironment(LongSupplier nanoClock, RandomGenerator random, Tokenizer tokenizer) {
        this(nanoClock, random, tokenizer, null);
    }

    /** Wall-clock time and thread-local randomness: for the gateway, which schedules from many threads. */
    public static SchedulerEnvironment system() {
        return new SchedulerEnvironment(System::nanoTime, ThreadSafeRandom.THREAD_LOCAL, null);
    }

    /**
     * A given clock and a seeded generator: identical inputs give identical decisions. The generator is
     * synchronized, so sharing it between threads is safe (though the order of calls then decides the outcome).
     */
    public static SchedulerEnvironment deterministic(LongSupplier nanoClock, long seed) {
        return new SchedulerEnvironment(nanoClock, new ThreadSafeRandom.Seeded(seed), null);
    }

    /** A copy with the engine's tokenizer. */
    public SchedulerEnvironment withTokenizer(Tokenizer engineTokenizer) {
        return new SchedulerEnvironment(nanoClock, random, engineTokenizer, preciseIndex);
    }

    /** A copy with the precise prefix index (enables {@code precise-prefix-cache-producer} and policy "precise"). */
    public SchedulerEnvironment withPreciseIndex(PrecisePrefixIndex index) {
        return new SchedulerEnvironment(nanoClock, random, tokenizer, index);
    }

    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Random generators that may be called from several threads. */
    static final class ThreadSafeRandom {
        static final RandomGenerator THREAD_LOCAL = new RandomGenerator() {
            @Override
            public long nextLong() {
                return ThreadLocalRandom.current().nextLong();
            }
        };

        private ThreadSafeRandom() {
        }

        static final class Seeded implements RandomGenerator {
            private final SplittableRandom random;

            Seeded(long seed) {
                this.random = new SplittableRandom(seed);
            }

            @Override
            public synchronized long nextLong() {
                return random.nextLong();
            }
        }
    }
}
