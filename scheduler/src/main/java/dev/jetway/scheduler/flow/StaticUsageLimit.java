package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.config.PluginParameters;
import java.util.Locale;

/**
 * {@code static-usage-limit-policy} (llm-d's default, threshold 1.0): every band dispatches while the pool's
 * saturation is below {@code threshold}. Also runs llm-d's {@code soft-reflective-ceiling-policy}, which lowers the
 * ceiling of lower bands (see {@link #why()}).
 *
 * @param type      {@value #TYPE}, or the llm-d type it stands in for
 * @param standIn   why it stands in for {@code type}, or null when it is itself
 */
public record StaticUsageLimit(String type, String name, double threshold, String standIn)
        implements UsageLimitPolicy, StandIn {

    public static final String TYPE = "static-usage-limit-policy";
    public static final String SOFT_CEILING_TYPE = "soft-reflective-ceiling-policy";
    public static final double DEFAULT_THRESHOLD = 1.0;

    public StaticUsageLimit(String name, double threshold) {
        this(TYPE, name, threshold, null);
    }

    public static StaticUsageLimit create(String name, PluginParameters p) {
        return new StaticUsageLimit(name, p.number("threshold", DEFAULT_THRESHOLD, 0.0, Double.MAX_VALUE));
    }

    /** llm-d's reflective policy, run as the static ceiling of its highest band (1.0). */
    public static StaticUsageLimit standIn(String type, String name, PluginParameters p) {
        double max = p.has("maxCeiling") ? p.number("maxCeiling", 1.0, 0.0, Double.MAX_VALUE) : 1.0;
        p.acceptAll();
        return new StaticUsageLimit(type, name, max, "Jetway does not hold lower bands back at a lower saturation "
                + "yet; every band dispatches up to " + fmt(max) + " and strict priority alone orders them");
    }

    @Override
    public double ceiling(int priority, int rank, int bandCount, int highest, int lowest) {
        return threshold;
    }

    @Override
    public String describeParameters() {
        return "threshold=" + fmt(threshold);
    }

    @Override
    public String instead() {
        return standIn == null ? null : "static-usage-limit-policy {threshold=" + fmt(threshold) + "}";
    }

    @Override
    public String why() {
        return standIn;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%s", d);
    }
}
