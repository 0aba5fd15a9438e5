package dev.jetway.scheduler.config;

import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.spi.Plugin;

/** Creates one plugin instance from its validated parameters. */
@FunctionalInterface
public interface PluginFactory {

    /**
     * @param name   the instance name ({@code name:} or the type)
     * @param params the parameters; read every field you accept, the registry calls {@link PluginParameters#finish}
     */
    Plugin create(String name, PluginParameters params, SchedulerEnvironment environment);

    /** The common case: a plugin built from its name and parameters alone, without the environment. */
    @FunctionalInterface
    interface FromParameters {

        Plugin create(String name, PluginParameters params);
    }
}
