package dev.jetway.scheduler.plugins.pd;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.SchedulingContext;

/** {@code always-disagg-pd-decider}: every request is prefilled on a prefill endpoint. */
public record AlwaysDisaggPdDecider(String name) implements PdDecider {

    public static final String TYPE = "always-disagg-pd-decider";

    private static final Verdict ALWAYS = new Verdict(true, "always");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Verdict decide(SchedulingContext context, Endpoint decodePick) {
        return ALWAYS;
    }
}
