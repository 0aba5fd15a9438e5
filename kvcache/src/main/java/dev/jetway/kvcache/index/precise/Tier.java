package dev.jetway.kvcache.index.precise;

/** Where an endpoint holds a block: the KV-event {@code medium}, lower-cased the way llm-d's indexer does. */
public enum Tier {
    GPU, CPU, STORAGE;

    private static final Tier[] BY_CODE = values();

    /** {@code null}/empty/{@code GPU} → GPU, {@code CPU} → CPU, anything else ({@code DISK}, {@code STORAGE}...) → STORAGE. */
    public static Tier ofMedium(String medium) {
        if (medium == null || medium.isEmpty()) {
            return GPU;
        }
        // called once per event: compare without lower-casing a copy
        if (medium.equalsIgnoreCase("gpu")) {
            return GPU;
        }
        return medium.equalsIgnoreCase("cpu") ? CPU : STORAGE;
    }

    static Tier ofCode(int code) {
        return BY_CODE[code];
    }
}
