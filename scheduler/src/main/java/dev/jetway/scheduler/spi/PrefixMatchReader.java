package dev.jetway.scheduler.spi;

/**
 * Implemented by plugins that read prefix matches; the config loader creates the named producer when it is missing
 * and is a default one (llm-d auto-creates {@code approx-prefix-cache-producer} for its consumers).
 */
public interface PrefixMatchReader {

    /** Name of the producer whose matches this plugin reads. */
    String prefixMatchProducerName();

    /** What that producer wrote for the request in {@code context}; null when it wrote nothing. */
    default PrefixMatchInfo prefixMatch(SchedulingContext context) {
        return context.get(PrefixMatchInfo.keyFor(prefixMatchProducerName()));
    }
}
