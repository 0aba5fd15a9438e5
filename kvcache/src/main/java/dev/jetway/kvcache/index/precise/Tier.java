package dev.jetway.kvcache.index.precise;

import java.util.Locale;

/** Where an endpoint holds a block: the KV-event {@code medium}, lower-cased the way llm-d's indexer does. */
public enum Tier {
    GPU, CPU, STORAGE;

    private static final Tier[] BY_CODE = values();

    /** {@code null}/empty/{@code GPU} → GPU, {@code CPU} → CPU, anything else ({@code DISK}, {@code STORAGE}...) → STORAGE. */
    public static Tier ofMedium(String medium) {
        if (medium == null || medium.isEmpty()) {
            return GPU;
        }
        return switch (medium.toLowerCase(Locale.ROOT)) {
            case "gpu" -> GPU;
            case "cpu" -> CPU;
            default -> STORAGE;
        };
    }

    static Tier ofCode(int code) {
        return BY_CODE[code];
    }
}
