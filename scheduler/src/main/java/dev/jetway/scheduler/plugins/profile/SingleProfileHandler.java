package dev.jetway.scheduler.plugins.profile;

import dev.jetway.scheduler.ProfileResult;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.spi.ProfileHandler;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Map;

/** {@code single-profile-handler}: runs the one profile once; it is primary. */
public record SingleProfileHandler(String name) implements ProfileHandler {

    public static final String TYPE = "single-profile-handler";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<SchedulingProfile> pick(SchedulingContext context, Map<String, SchedulingProfile> profiles,
                                        Map<String, ProfileResult> resultsSoFar) {
        if (!resultsSoFar.isEmpty() || profiles.isEmpty()) {
            return List.of();
        }
        return List.of(profiles.values().iterator().next());
    }

    @Override
    public String primaryProfile(SchedulingContext context, Map<String, ProfileResult> results) {
        return results.keySet().iterator().next();
    }
}
