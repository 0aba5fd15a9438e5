package dev.jetway.scheduler.config;

import java.util.List;

/**
 * An EndpointPickerConfig that cannot be used, with every problem found (not just the first), each naming the
 * plugin and field concerned.
 */
public final class ConfigException extends IllegalArgumentException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() == 1 ? problems.getFirst() : String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
