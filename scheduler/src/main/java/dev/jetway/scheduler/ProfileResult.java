package dev.jetway.scheduler;

import java.util.List;

/**
 * The outcome of one scheduling profile.
 *
 * @param profile the profile's name
 * @param targets endpoints in order of preference: the first serves, the rest are fallbacks for retries
 * @param reason  the picker's short explanation
 */
public record ProfileResult(String profile, List<Endpoint> targets, String reason) {

    public ProfileResult {
        targets = List.copyOf(targets);
    }

    /** The chosen endpoint, or null when every candidate was filtered out. */
    public Endpoint primary() {
        return targets.isEmpty() ? null : targets.getFirst();
    }
}
