package dev.jetway.bench.config;

/** A workload file that cannot be used; the message names the field. */
public final class ConfigException extends IllegalArgumentException {

    public ConfigException(String message) {
        super(message);
    }
}
