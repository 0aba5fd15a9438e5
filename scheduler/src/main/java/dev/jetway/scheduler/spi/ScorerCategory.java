package dev.jetway.scheduler.spi;

/** llm-d's scorer categories: what a scorer pulls requests towards. */
public enum ScorerCategory {
    /** Towards endpoints that already hold something of the request (prefix, session, adapter). */
    AFFINITY,
    /** Towards spreading requests evenly. */
    DISTRIBUTION,
    /** Towards the least loaded endpoint. */
    BALANCE
}
