package dev.jetway.bench.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficHeaders;
import dev.jetway.bench.traffic.TrafficMix;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a workload file's {@code traffic} section: the classes of senders, either listed one by one
 * ({@code classes}) or as every tenant sending every tier ({@code tenants} x {@code tiers}, each class's share the
 * product of its tenant's and its tier's). Every error names the field (docs/benchmarking.md, "Traffic classes").
 */
final class TrafficSection {

    private static final long DEFAULT_SEED = 42;
    /** RFC 9110 token characters: what a header name may hold. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private static final Set<String> SECTION_FIELDS = Set.of("seed", "classes", "tenants", "tiers");
    private static final Set<String> CLASS_FIELDS = Set.of("name", "share", "tenant", "objective", "priority",
            "slo_ttft_ms", "slo_tpot_ms", "headers");
    private static final Set<String> TENANT_FIELDS = Set.of("name", "share", "headers");
    private static final Set<String> TIER_FIELDS = Set.of("name", "share", "objective", "priority", "slo_ttft_ms",
            "slo_tpot_ms", "headers");

    private TrafficSection() {
    }

    /** The section's classes; {@link TrafficMix#NONE} when the file has none. */
    static TrafficMix parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return TrafficMix.NONE;
        }
        if (!node.isObject()) {
            throw new ConfigException("traffic: expected a mapping with classes (or tenants and tiers)");
        }
        BenchConfigLoader.rejectUnknown(node, "traffic", SECTION_FIELDS, "the traffic section");
        long seed = BenchConfigLoader.integer(node, "seed", "traffic.seed", (int) DEFAULT_SEED);
        boolean listed = node.has("classes");
        boolean product = node.has("tenants") || node.has("tiers");
        if (listed && product) {
            throw new ConfigException("traffic: give either classes or tenants and tiers, not both");
        }
        if (!listed && !product) {
            throw new ConfigException("traffic: needs classes (or tenants and tiers)");
        }
        List<Draft> drafts = listed ? listed(node.get("classes")) : product(node);
        List<TrafficClass> classes = new ArrayList<>();
        Map<String, String> firstOfName = new HashMap<>();
        Map<String, Draft> firstOfObjective = new HashMap<>();
        for (Draft d : drafts) {
            String other = firstOfName.putIfAbsent(d.name, d.where);
            if (other != null) {
                throw new ConfigException(d.where + ".name: \"" + d.name + "\" names " + other + " too");
            }
            consistentPriority(d, firstOfObjective);
            classes.add(new TrafficClass(d.name, d.share, d.tenant, d.objective, d.priority, d.headers));
        }
        return new TrafficMix(classes, seed);
    }

    /** A class as read, with where it was read from (for errors). */
    private record Draft(String where, String name, double share, String tenant, String objective, int priority,
                         Map<String, String> headers) {
    }

    private static List<Draft> listed(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            throw new ConfigException("traffic.classes: expected a list of {name, share, tenant, objective, priority}");
        }
        List<Draft> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "traffic.classes[" + i + "]";
            JsonNode c = mapping(list.get(i), where, "{name, share, tenant, objective, priority}");
            BenchConfigLoader.rejectUnknown(c, where, CLASS_FIELDS, "a traffic class");
            String name = required(c, "name", where, "the class's name in reports");
            String tenant = BenchConfigLoader.text(c, "tenant", where + ".tenant", null);
            Identity id = identity(c, where);
            Map<String, String> headers = headers(c, where, tenant, id);
            out.add(new Draft(where, name, share(c, where), tenant, id.objective, id.priority, headers));
        }
        sharesAddUp(out, "traffic.classes");
        return out;
    }

    /** Every tenant sends every tier: one class per pair, named {@code tenant/tier}. */
    private static List<Draft> product(JsonNode node) {
        JsonNode tenants = node.get("tenants");
        JsonNode tiers = node.get("tiers");
        if (tenants == null || !tenants.isArray() || tenants.isEmpty()) {
            throw new ConfigException("traffic.tenants: expected a list of {name, share} (with traffic.tiers)");
        }
        if (tiers == null || !tiers.isArray() || tiers.isEmpty()) {
            throw new ConfigException("traffic.tiers: expected a list of {objective, priority, share} (with "
                    + "traffic.tenants)");
        }
        List<Draft> tenantDrafts = new ArrayList<>();
        for (int i = 0; i < tenants.size(); i++) {
            String where = "traffic.tenants[" + i + "]";
            JsonNode t = mapping(tenants.get(i), where, "{name, share}");
            BenchConfigLoader.rejectUnknown(t, where, TENANT_FIELDS, "a tenant");
            String name = required(t, "name", where, "the tenant's fairness id");
            tenantDrafts.add(new Draft(where, name, share(t, where), name, null, 0,
                    headers(t, where, name, Identity.NONE)));
        }
        sharesAddUp(tenantDrafts, "traffic.tenants");
        List<Draft> tierDrafts = new ArrayList<>();
        for (int i = 0; i < tiers.size(); i++) {
            String where = "traffic.tiers[" + i + "]";
            JsonNode t = mapping(tiers.get(i), where, "{objective, priority, share}");
            BenchConfigLoader.rejectUnknown(t, where, TIER_FIELDS, "a tier");
            Identity id = identity(t, where);
            String name = BenchConfigLoader.text(t, "name", where + ".name", id.objective);
            if (name == null || name.isBlank()) {
                throw new ConfigException(where + ".name: missing (a tier without an objective needs a name)");
            }
            tierDrafts.add(new Draft(where, name, share(t, where), null, id.objective, id.priority,
                    headers(t, where, null, id)));
        }
        sharesAddUp(tierDrafts, "traffic.tiers");
        List<Draft> out = new ArrayList<>();
        for (Draft tenant : tenantDrafts) {
            for (Draft tier : tierDrafts) {
                Map<String, String> headers = new LinkedHashMap<>(tier.headers);
                tenant.headers.forEach((k, v) -> {
                    if (headers.containsKey(k)) {
                        throw new ConfigException(tenant.where + ".headers." + k + ": " + tier.where
                                + " sets it too: give it once");
                    }
                    headers.put(k, v);
                });
                out.add(new Draft(tier.where, tenant.name + "/" + tier.name, tenant.share * tier.share, tenant.name,
                        tier.objective, tier.priority, headers));
            }
        }
        return out;
    }

    /** The InferenceObjective and the priority the simulator gives it. */
    private record Identity(String objective, int priority, Map<String, String> headers) {
        static final Identity NONE = new Identity(null, 0, Map.of());
    }

    private static Identity identity(JsonNode c, String where) {
        String objective = BenchConfigLoader.text(c, "objective", where + ".objective", null);
        int priority = BenchConfigLoader.integer(c, "priority", where + ".priority", 0);
        if (objective == null && priority != 0) {
            // The gateway gives a request without an objective priority 0; a simulation must see what it would.
            throw new ConfigException(where + ".priority: a request without an objective has priority 0 at the "
                    + "gateway; name the objective (x-llm-d-inference-objective) that admission.objectives maps to "
                    + priority);
        }
        Map<String, String> slo = new LinkedHashMap<>();
        milliseconds(c, "slo_ttft_ms", where, TrafficHeaders.SLO_TTFT_MS, slo);
        milliseconds(c, "slo_tpot_ms", where, TrafficHeaders.SLO_TPOT_MS, slo);
        return new Identity(objective, priority, slo);
    }

    private static void milliseconds(JsonNode c, String field, String where, String header, Map<String, String> out) {
        double ms = BenchConfigLoader.number(c, field, where + "." + field, Double.NaN);
        if (Double.isNaN(ms)) {
            return;
        }
        if (!(ms > 0) || Double.isInfinite(ms)) {
            throw new ConfigException(where + "." + field + ": must be > 0 milliseconds, got " + c.get(field));
        }
        out.put(header, BigDecimal.valueOf(ms).stripTrailingZeros().toPlainString());
    }

    /** The headers a class sends: objective, fairness id, latency objectives, then the listed ones. */
    private static Map<String, String> headers(JsonNode c, String where, String tenant, Identity id) {
        Map<String, String> out = new LinkedHashMap<>();
        if (id.objective != null) {
            out.put(TrafficHeaders.OBJECTIVE, id.objective);
        }
        if (tenant != null) {
            out.put(TrafficHeaders.FAIRNESS_ID, tenant);
        }
        out.putAll(id.headers);
        JsonNode h = c.get("headers");
        if (h == null || h.isNull()) {
            return out;
        }
        if (!h.isObject()) {
            throw new ConfigException(where + ".headers: expected a mapping of header name to value");
        }
        for (Map.Entry<String, JsonNode> e : h.properties()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String at = where + ".headers." + e.getKey();
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new ConfigException(at + ": not a valid header name");
            }
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(at + ": expected a string, got " + e.getValue());
            }
            if (out.containsKey(name)) {
                throw new ConfigException(at + ": already set by the class's " + fieldOf(name) + ": give it once");
            }
            out.put(name, e.getValue().asText());
        }
        return out;
    }

    private static String fieldOf(String header) {
        return switch (header) {
            case TrafficHeaders.OBJECTIVE -> "objective";
            case TrafficHeaders.FAIRNESS_ID -> "tenant";
            case TrafficHeaders.SLO_TTFT_MS -> "slo_ttft_ms";
            case TrafficHeaders.SLO_TPOT_MS -> "slo_tpot_ms";
            default -> "headers";
        };
    }

    /**
     * The gateway maps an objective's name to one priority ({@code admission.objectives}); classes that gave one
     * name two priorities would simulate something no gateway config can do.
     */
    private static void consistentPriority(Draft d, Map<String, Draft> firstOfObjective) {
        if (d.objective == null) {
            return;
        }
        Draft first = firstOfObjective.putIfAbsent(d.objective, d);
        if (first != null && first.priority != d.priority) {
            throw new ConfigException(d.where + ".priority: objective \"" + d.objective + "\" has priority "
                    + first.priority + " in " + first.where + "; the gateway maps an objective name to one priority "
                    + "(admission.objectives), so its classes must agree");
        }
    }

    private static double share(JsonNode c, String where) {
        double share = BenchConfigLoader.number(c, "share", where + ".share", Double.NaN);
        if (Double.isNaN(share)) {
            throw new ConfigException(where + ".share: missing (its fraction of the requests; the shares add up to 1)");
        }
        if (!(share > 0) || share > 1) {
            throw new ConfigException(where + ".share: must be > 0 and <= 1, got " + c.get("share"));
        }
        return share;
    }

    private static void sharesAddUp(List<Draft> drafts, String where) {
        double sum = drafts.stream().mapToDouble(Draft::share).sum();
        if (Math.abs(sum - 1) > TrafficMix.SHARE_TOLERANCE) {
            StringBuilder each = new StringBuilder();
            for (Draft d : drafts) {
                each.append(each.isEmpty() ? "" : ", ").append(d.name).append(' ').append(compact(d.share));
            }
            throw new ConfigException(where + ": shares add up to " + compact(sum) + ", not 1 (" + each + ")");
        }
    }

    private static String compact(double v) {
        return BigDecimal.valueOf(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static JsonNode mapping(JsonNode node, String where, String shape) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(where + ": expected a mapping " + shape);
        }
        return node;
    }

    private static String required(JsonNode node, String field, String where, String what) {
        String v = BenchConfigLoader.text(node, field, where + "." + field, null);
        if (v == null || v.isBlank()) {
            throw new ConfigException(where + "." + field + ": missing (" + what + ")");
        }
        return v;
    }
}
