package dev.jetway.scheduler.flow;

/**
 * {@code strict-band-selection-policy} (llm-d's default {@code bandSelectionPolicyPluginRef}): bands get the chance to
 * dispatch from the highest priority down. Jetway's controller always works this way; the plugin exists so configs
 * naming it load unchanged.
 */
public record StrictBandSelection(String name) implements dev.jetway.scheduler.spi.Plugin {

    public static final String TYPE = "strict-band-selection-policy";

    @Override
    public String type() {
        return TYPE;
    }
}
