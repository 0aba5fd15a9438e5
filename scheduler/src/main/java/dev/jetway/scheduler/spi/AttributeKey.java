package dev.jetway.scheduler.spi;

import java.util.Objects;

/**
 * Names a typed per-request attribute that a data producer writes into the {@link SchedulingContext} for filters
 * and scorers to read (llm-d's endpoint/request attributes). Keys are equal by name and type.
 */
public record AttributeKey<T>(String name, Class<T> type) {

    public AttributeKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        return new AttributeKey<>(name, type);
    }
}
