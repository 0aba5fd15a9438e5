package dev.jetway.scheduler.config;

/** What a plugin type is, for listings and error messages. */
public enum PluginKind {
    FILTER("filter"),
    SCORER("scorer"),
    PICKER("picker"),
    PROFILE_HANDLER("profile handler"),
    DATA_PRODUCER("data producer"),
    ADMITTER("admitter"),
    DATA_LAYER("data layer");

    private final String label;

    PluginKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
