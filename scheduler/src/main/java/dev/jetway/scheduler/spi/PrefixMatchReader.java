package dev.jetway.scheduler.spi;

/**
 * Implemented by plugins that read prefix matches; the config loader creates the named producer when it is missing
 * and is a default one (llm-d auto-creates {@code approx-prefix-cache-producer} for its consumers).
 */
public interface PrefixMatchReader {

    /** Name of the producer whose matches this plugin reads. */
    String prefixMatchProducerName();
}
