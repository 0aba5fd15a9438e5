package dev.jetway.scheduler.spi;

/**
 * A configured plugin instance: its llm-d type name and the name a config refers to it by (defaults to the type).
 * A plugin may implement several extension points (e.g. a producer that is also a pre-request hook); the scheduler
 * binds every interface it implements, as llm-d does.
 */
public interface Plugin {

    /** The llm-d type name, e.g. {@code queue-scorer}. */
    String type();

    /** The instance name used by {@code pluginRef}. */
    String name();

    /** Parameters with defaults filled in, for {@code jetway config check}; empty when the plugin has none. */
    default String describeParameters() {
        return "";
    }
}
