package dev.jetway.scheduler.plugins.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code label-selector-filter} (old name {@code by-label-selector}): keep endpoints matching a Kubernetes label
 * selector: {@code matchLabels} (all must equal) and {@code matchExpressions} ({@code In}, {@code NotIn},
 * {@code Exists}, {@code DoesNotExist}).
 */
public final class LabelSelectorFilter implements Filter {

    public static final String TYPE = "label-selector-filter";

    /** One {@code matchExpressions} entry. */
    public record Expression(String key, String operator, List<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new IllegalStateException(operator);
            };
        }
    }

    /** Parameters. */
    public record Params(Map<String, String> matchLabels, List<Expression> matchExpressions) {
    }

    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private final String name;
    private final Params params;

    public LabelSelectorFilter(String name, Params params) {
        this.name = name;
        this.params = params;
    }

    public static LabelSelectorFilter create(String name, PluginParameters p) {
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode ml = p.raw("matchLabels");
        if (ml != null && !ml.isNull()) {
            if (!ml.isObject()) {
                throw p.error("matchLabels", "must be a mapping of label to value");
            }
            for (Map.Entry<String, JsonNode> e : ml.properties()) {
                labels.put(e.getKey(), e.getValue().asText());
            }
        }
        List<Expression> exprs = new ArrayList<>();
        JsonNode me = p.raw("matchExpressions");
        if (me != null && !me.isNull()) {
            if (!me.isArray()) {
                throw p.error("matchExpressions", "must be a list of {key, operator, values}");
            }
            for (JsonNode e : me) {
                String key = e.path("key").asText(null);
                String op = e.path("operator").asText(null);
                if (key == null || op == null || !OPERATORS.contains(op)) {
                    throw p.error("matchExpressions", "entries need a key and an operator among " + OPERATORS
                            + ", got " + e);
                }
                List<String> values = new ArrayList<>();
                e.path("values").forEach(v -> values.add(v.asText()));
                if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
                    throw p.error("matchExpressions", "operator " + op + " on '" + key + "' needs values");
                }
                exprs.add(new Expression(key, op, List.copyOf(values)));
            }
        }
        return new LabelSelectorFilter(name, new Params(Map.copyOf(labels), List.copyOf(exprs)));
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
        return "matchLabels=" + params.matchLabels() + ", matchExpressions=" + params.matchExpressions();
    }

    boolean matches(Endpoint e) {
        Map<String, String> labels = e.labels();
        for (var m : params.matchLabels().entrySet()) {
            if (!m.getValue().equals(labels.get(m.getKey()))) {
                return false;
            }
        }
        for (Expression x : params.matchExpressions()) {
            if (!x.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        candidates.retainIf(this::matches);
    }
}
