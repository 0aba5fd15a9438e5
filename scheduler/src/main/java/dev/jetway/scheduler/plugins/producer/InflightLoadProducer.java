package dev.jetway.scheduler.plugins.producer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.SchedulingContext;

/**
 * {@code inflight-load-producer}: in Jetway the in-flight counts (requests, and uncached prompt tokens until the
 * first token) are kept by the {@link dev.jetway.scheduler.Scheduler}'s lifecycle hooks on every
 * {@link dev.jetway.scheduler.Endpoint}, whatever the config says, so this plugin only validates llm-d's parameters.
 * {@code addEstimatedOutputTokens: true} (count predicted output tokens too) is not built yet and is rejected.
 */
public record InflightLoadProducer(String name) implements DataProducer {

    public static final String TYPE = "inflight-load-producer";

    public static InflightLoadProducer create(String name, PluginParameters p) {
        if (p.bool("addEstimatedOutputTokens", false)) {
            throw p.error("addEstimatedOutputTokens", "true is not built yet in Jetway (only prompt tokens are "
                    + "counted in flight)");
        }
        p.number("outputRatio", 1.5, 0, Double.MAX_VALUE);
        p.integer("maxEstimatedOutputTokens", 0L, 0, Long.MAX_VALUE);
        return new InflightLoadProducer(name);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "built in: requests, and uncached prompt tokens until the first token";
    }

    @Override
    public int stage() {
        return STAGE_LOAD;
    }

    @Override
    public void produce(SchedulingContext context) {
        // Nothing per request: the counters live on the endpoints.
    }
}
