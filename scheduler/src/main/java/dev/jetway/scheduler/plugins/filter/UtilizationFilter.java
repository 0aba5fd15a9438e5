package dev.jetway.scheduler.plugins.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code utilization-filter}: drop endpoints where any condition's metric exceeds its {@code maxValue}. Metrics:
 * {@code active-requests} (this gateway's in-flight count), {@code running-requests}, {@code waiting-queue},
 * {@code kv-cache-utilization} (0..1). With {@code fallbackOnEmpty} (default true) all endpoints are kept when none
 * passes, so overload degrades to plain scoring instead of failing requests.
 */
public final class UtilizationFilter implements Filter {

    public static final String TYPE = "utilization-filter";

    public enum Metric {
        ACTIVE_REQUESTS("active-requests"),
        RUNNING_REQUESTS("running-requests"),
        WAITING_QUEUE("waiting-queue"),
        KV_CACHE_UTILIZATION("kv-cache-utilization");

        final String wireName;

        Metric(String wireName) {
            this.wireName = wireName;
        }

        double of(Endpoint e) {
            return switch (this) {
                case ACTIVE_REQUESTS -> e.inFlightRequests();
                case RUNNING_REQUESTS -> e.metrics().runningRequests();
                case WAITING_QUEUE -> e.metrics().waitingRequests();
                case KV_CACHE_UTILIZATION -> e.metrics().kvCacheUsage();
            };
        }

        static Metric parse(String s) {
            for (Metric m : values()) {
                if (m.wireName.equals(s)) {
                    return m;
                }
            }
            return null;
        }
    }

    public record Condition(Metric metric, double maxValue) {
    }

    public record Params(List<Condition> conditions, boolean fallbackOnEmpty) {
    }

    private final String name;
    private final Params params;

    public UtilizationFilter(String name, Params params) {
        this.name = name;
        this.params = params;
    }

    public static UtilizationFilter create(String name, PluginParameters p) {
        JsonNode node = p.raw("conditions");
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw p.error("conditions", "must be a non-empty list of {metric, maxValue}");
        }
        List<Condition> conditions = new ArrayList<>();
        for (JsonNode c : node) {
            Metric m = Metric.parse(c.path("metric").asText(""));
            if (m == null) {
                throw p.error("conditions", "metric must be one of active-requests, running-requests, "
                        + "waiting-queue, kv-cache-utilization; got '" + c.path("metric").asText("") + "'");
            }
            JsonNode max = c.get("maxValue");
            if (max == null || !max.isNumber() || max.asDouble() < 0) {
                throw p.error("conditions", "maxValue of " + m.wireName + " must be a number >= 0");
            }
            conditions.add(new Condition(m, max.asDouble()));
        }
        return new UtilizationFilter(name, new Params(List.copyOf(conditions), p.bool("fallbackOnEmpty", true)));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        StringBuilder sb = new StringBuilder("conditions=[");
        for (int i = 0; i < params.conditions().size(); i++) {
            Condition c = params.conditions().get(i);
            sb.append(i == 0 ? "" : ", ").append(c.metric().wireName).append(" <= ")
                    .append(String.format(Locale.ROOT, "%s", c.maxValue()));
        }
        return sb.append("], fallbackOnEmpty=").append(params.fallbackOnEmpty()).toString();
    }

    boolean passes(Endpoint e) {
        for (Condition c : params.conditions()) {
            if (c.metric().of(e) > c.maxValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        if (params.fallbackOnEmpty()) {
            boolean any = false;
            for (int i = 0; i < candidates.size() && !any; i++) {
                any = passes(candidates.get(i));
            }
            if (!any) {
                return;
            }
        }
        candidates.retainIf(this::passes);
    }
}
