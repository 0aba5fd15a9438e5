package dev.jetway.scheduler.config;

/** What a plugin type is, for listings and error messages. */
public enum PluginKind {
    FILTER("filter"),
    SCORER("scorer"),
    PICKER("picker"),
    PROFILE_HANDLER("profile handler"),
    PD_DECIDER("P/D decider"),
    DATA_PRODUCER("data producer"),
    ADMITTER("admitter"),
    DATA_LAYER("data layer"),
    ORDERING_POLICY("ordering policy"),
    FAIRNESS_POLICY("fairness policy"),
    USAGE_LIMIT_POLICY("usage limit policy"),
    SATURATION_DETECTOR("saturation detector"),
    BAND_SELECTION_POLICY("band selection policy"),
    EVICTION_POLICY("eviction policy");

    private final String label;

    PluginKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Kinds the {@code flowControl} section refers to; never part of a scheduling profile's pipeline. */
    public boolean flowControl() {
        return switch (this) {
            case ORDERING_POLICY, FAIRNESS_POLICY, USAGE_LIMIT_POLICY, SATURATION_DETECTOR, BAND_SELECTION_POLICY,
                 EVICTION_POLICY -> true;
            default -> false;
        };
    }
}
