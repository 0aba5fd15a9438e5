package dev.jetway.scheduler.plugins.picker;

import dev.jetway.scheduler.config.PluginParameters;

/** The one parameter every picker takes, llm-d's and the peer routers' alike. */
public final class PickerParams {

    private PickerParams() {
    }

    /** {@code maxNumOfEndpoints}: how many endpoints to return (the primary plus fallbacks), default 1. */
    public static int maxNumOfEndpoints(PluginParameters p) {
        return p.integer("maxNumOfEndpoints", 1, 1, 1 << 16);
    }
}
