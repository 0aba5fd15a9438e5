package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.ProfileResult;
import dev.jetway.scheduler.SchedulingProfile;
import java.util.List;
import java.util.Map;

/**
 * Decides which scheduling profiles run for a request, possibly in several rounds (e.g. decode first, then prefill
 * if the decode pick lacks the prefix), and which profile's result is primary.
 */
public interface ProfileHandler extends Plugin {

    /** Profiles to run next given the results so far; an empty list ends the cycle. */
    List<SchedulingProfile> pick(SchedulingContext context, Map<String, SchedulingProfile> profiles,
                                 Map<String, ProfileResult> resultsSoFar);

    /** The name of the primary profile, whose first endpoint serves the request. */
    String primaryProfile(SchedulingContext context, Map<String, ProfileResult> results);
}
