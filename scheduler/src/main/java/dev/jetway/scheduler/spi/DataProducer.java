package dev.jetway.scheduler.spi;

/**
 * Computes request/endpoint attributes once per request, before any profile runs, so several plugins can share
 * them (e.g. prefix-match information read by a filter and a scorer). Producers run in {@link #stage()} order.
 */
public interface DataProducer extends Plugin {

    /** Stage of tokenization: runs first. */
    int STAGE_TOKENS = 0;
    /** Stage of prefix matching: needs tokens. */
    int STAGE_PREFIX = 10;
    /** Stage of load estimates: may need prefix matches. */
    int STAGE_LOAD = 20;

    int stage();

    void produce(SchedulingContext context);
}
