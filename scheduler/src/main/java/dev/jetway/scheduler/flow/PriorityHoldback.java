package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.config.PluginParameters;
import java.util.List;
import java.util.Locale;

/**
 * {@code priority-holdback-policy} (llm-d-router #1592): stepped ceilings that hold lower bands back at a lower
 * saturation, so the pool keeps headroom for the bands above them. The highest band dispatches up to
 * {@code maxCeiling}, the lowest up to {@code minCeiling}, the ones between on a line:
 * <ul>
 *   <li>{@code domain: rank} (llm-d's stepwise spread): by rank, evenly, whatever the priority values:
 *       {@code c_i = max − i × (max − min) / (N − 1)} for the i-th of N bands, highest first;</li>
 *   <li>{@code domain: value} (llm-d's linear proportional): by priority value:
 *       {@code c = min + (p − p_min) / (p_max − p_min) × (max − min)}.</li>
 * </ul>
 * A single band, or bands of one priority value, get {@code maxCeiling}. The bands are those that exist: one per
 * priority the controller has seen. {@code shape: linear} is the only shape (llm-d's too).
 *
 * @param domain {@code rank} or {@code value}
 */
public record PriorityHoldback(String name, double minCeiling, double maxCeiling, String domain)
        implements UsageLimitPolicy {

    public static final String TYPE = "priority-holdback-policy";
    public static final String RANK = "rank";
    public static final String VALUE = "value";

    public PriorityHoldback {
        if (!(minCeiling >= 0 && minCeiling <= maxCeiling)) {
            throw new IllegalArgumentException("minCeiling must be in [0, maxCeiling=" + maxCeiling + "], got "
                    + minCeiling);
        }
        if (!domain.equals(RANK) && !domain.equals(VALUE)) {
            throw new IllegalArgumentException("domain must be rank or value, got " + domain);
        }
    }

    public static PriorityHoldback create(String name, PluginParameters p) {
        if (!p.has("minCeiling")) {
            throw p.error("minCeiling", "is required: the saturation up to which the lowest band dispatches, "
                    + "e.g. 0.5");
        }
        double max = p.number("maxCeiling", 1.0, 0.0, Double.MAX_VALUE);
        double min = p.number("minCeiling", 0.0, 0.0, Double.MAX_VALUE);
        if (min > max) {
            throw p.error("minCeiling", "must not exceed maxCeiling (" + max + "), got " + min);
        }
        String domain = p.oneOf("domain", RANK, List.of(RANK, VALUE));
        p.oneOf("shape", "linear", List.of("linear"));
        return new PriorityHoldback(name, min, max, domain);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public double ceiling(int priority, int rank, int bandCount, int highest, int lowest) {
        double fraction; // 1 for the highest band, 0 for the lowest
        if (domain.equals(RANK)) {
            fraction = bandCount <= 1 ? 1.0 : 1.0 - (double) rank / (bandCount - 1);
        } else {
            fraction = highest == lowest ? 1.0 : (double) ((long) priority - lowest) / ((long) highest - lowest);
        }
        return minCeiling + fraction * (maxCeiling - minCeiling);
    }

    @Override
    public String describeParameters() {
        return String.format(Locale.ROOT, "minCeiling=%s, maxCeiling=%s, domain=%s, shape=linear", minCeiling,
                maxCeiling, domain);
    }
}
