package dev.jetway.scheduler.spi;

/**
 * A per-request attribute that has something to say about each candidate in the decision record (e.g. the latency
 * model's predictions): the {@link dev.jetway.scheduler.DecisionRecord} renders it next to the scores of every
 * endpoint it explains, only when the record is turned into text.
 */
public interface EndpointExplainer {

    /** Appends a short ASCII note about the candidate at {@code slot} (no leading space), or nothing. */
    void explain(int slot, StringBuilder out);
}
