package dev.jetway.engine;

import java.util.Locale;

/**
 * The order in which an engine admits waiting requests, vLLM's {@code --scheduling-policy}.
 */
public enum SchedulingPolicy {

    /** First come, first served (vLLM's default); a request's priority must be 0. */
    FCFS,
    /**
     * By {@link EngineRequest#priority()}, lower first, then by arrival; memory shortage preempts the running request
     * of the lowest priority (the latest among equals) instead of the newest.
     */
    PRIORITY;

    /** The name vLLM's flag takes: {@code fcfs} or {@code priority}. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses vLLM's flag value ({@code fcfs} or {@code priority}, any case). */
    public static SchedulingPolicy parse(String value) {
        for (SchedulingPolicy p : values()) {
            if (p.flagValue().equalsIgnoreCase(value.strip())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown scheduling policy '" + value + "': use fcfs or priority");
    }
}
