package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;
import java.util.List;

/**
 * A picker's answer: the endpoints to use, best first (fallbacks after), and why, as a short constant phrase (no
 * string building on the hot path).
 */
public record Pick(List<Endpoint> targets, String reason) {

    public Pick {
        targets = List.copyOf(targets);
    }

    public static Pick none(String reason) {
        return new Pick(List.of(), reason);
    }
}
