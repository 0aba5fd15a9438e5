package dev.jetway.scheduler.plugins.filter;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;

/**
 * {@code by-label} (deprecated in llm-d, kept for old configs): keep endpoints whose {@code label} has one of
 * {@code validValues}; unlabeled endpoints pass only with {@code allowsNoLabel} (default false).
 */
public final class ByLabelFilter implements Filter {

    public static final String TYPE = "by-label";

    public record Params(String label, List<String> validValues, boolean allowsNoLabel) {
    }

    private final String name;
    private final Params params;

    public ByLabelFilter(String name, Params params) {
        this.name = name;
        this.params = params;
    }

    public static ByLabelFilter create(String name, PluginParameters p) {
        String label = p.string("label", null);
        if (label == null || label.isEmpty()) {
            throw p.error("label", "is required");
        }
        return new ByLabelFilter(name, new Params(label, p.strings("validValues", List.of()),
                p.bool("allowsNoLabel", false)));
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
        return "label=" + params.label() + ", validValues=" + params.validValues() + ", allowsNoLabel="
                + params.allowsNoLabel();
    }

    boolean keeps(Endpoint e) {
        String v = e.labels().get(params.label());
        return v == null ? params.allowsNoLabel() : params.validValues().contains(v);
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        candidates.retainIf(this::keeps);
    }
}
