package dev.jetway.scheduler.flow;

/**
 * A plugin type of llm-d's flow control that Jetway loads but runs as another policy: the config builder turns
 * {@link #instead()} into a {@link dev.jetway.scheduler.config.ConfigWarning}, so the config loads and says how.
 */
public interface StandIn {

    /** What Jetway runs in its place, e.g. {@code "round-robin-fairness-policy (...)"}. */
    String instead();

    /** Why, or how the behaviour differs. */
    String why();
}
