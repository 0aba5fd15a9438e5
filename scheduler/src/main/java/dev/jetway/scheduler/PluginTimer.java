package dev.jetway.scheduler;

/**
 * Receives how long each plugin took in a scheduling cycle, for llm-d's {@code llm_d_epp_plugin_duration_seconds}
 * (labels: extension point, plugin type, plugin name). Set with {@link Scheduler#setPluginTimer}; when none is set
 * the cycle reads no clock for timing at all.
 */
@FunctionalInterface
public interface PluginTimer {

    /**
     * @param extensionPoint {@code DataProducer}, {@code Filter}, {@code Scorer}, {@code Picker} or {@code PreRequest}
     * @param nanos          duration on the scheduler environment's clock
     */
    void record(String extensionPoint, String pluginType, String pluginName, long nanos);
}
