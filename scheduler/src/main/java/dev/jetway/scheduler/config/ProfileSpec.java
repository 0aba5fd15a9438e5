package dev.jetway.scheduler.config;

import java.util.List;

/** One entry of {@code schedulingProfiles:}: a name and the plugins it references, with optional weights. */
public record ProfileSpec(String name, List<PluginRef> plugins) {

    public ProfileSpec {
        plugins = List.copyOf(plugins);
    }

    /** A {@code pluginRef} with its optional {@code weight} (null = default 1.0; only scorers use it). */
    public record PluginRef(String pluginRef, Double weight) {
    }
}
