package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.spi.Plugin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The {@code flowControl} section of an EndpointPickerConfig, resolved: defaults filled in (llm-d's: TTL 60 s, bands
 * of 5000 requests and 1G bytes, FCFS ordering, global-strict fairness, a static usage limit of 1.0, the
 * utilization detector) and every policy reference turned into its plugin instance. The host builds one
 * {@link FlowController} per pool from it.
 *
 * @param enabled              the {@code flowControl} feature gate is on: queue requests; when off, the host keeps
 *                             llm-d's admission without flow control (the {@code detector} is still resolved, for it)
 * @param maxBytes             bytes queued over all bands at most; 0 = no global limit
 * @param maxRequests          requests queued over all bands at most; 0 = no global limit
 * @param defaultRequestTTL    how long a request may wait while the pool has endpoints, for bands that do not say
 *                             (60 s when omitted); zero = no limit
 * @param noEndpointRequestTTL how long while the pool has no endpoints (follows {@code defaultRequestTTL} when
 *                             omitted); zero = no limit
 * @param defaultBand          the template for priorities not listed ({@code defaultPriorityBand})
 * @param defaultNegativeBand  the template for negative priorities not listed ({@code defaultNegativePriorityBand});
 *                             null = {@code defaultBand}
 * @param bands                the listed bands, highest priority first
 * @param usageLimit           the saturation up to which each band dispatches
 * @param detector             the pool's saturation detector
 * @param enableEviction       stop running sheddable requests for blocked ones of higher priority
 * @param bandSelection        the {@code bandSelectionPolicyPluginRef} instance, or null (strict priority either way)
 */
public record FlowControlConfig(boolean enabled, long maxBytes, long maxRequests, Duration defaultRequestTTL,
                                Duration noEndpointRequestTTL, PriorityBand defaultBand,
                                PriorityBand defaultNegativeBand, List<PriorityBand> bands,
                                UsageLimitPolicy usageLimit, SaturationDetector detector, boolean enableEviction,
                                Plugin bandSelection) {

    /** llm-d's queue-wait budget when {@code defaultRequestTTL} is omitted (llm-d-router #2123). */
    public static final Duration DEFAULT_REQUEST_TTL = Duration.ofSeconds(60);
    /** The feature gate that turns flow control on. */
    public static final String FEATURE_GATE = "flowControl";

    public FlowControlConfig {
        Objects.requireNonNull(defaultRequestTTL, "defaultRequestTTL");
        Objects.requireNonNull(noEndpointRequestTTL, "noEndpointRequestTTL");
        Objects.requireNonNull(defaultBand, "defaultBand");
        Objects.requireNonNull(usageLimit, "usageLimit");
        Objects.requireNonNull(detector, "detector");
        if (maxBytes < 0 || maxRequests < 0) {
            throw new IllegalArgumentException("maxBytes and maxRequests must not be negative");
        }
        if (defaultRequestTTL.isNegative() || noEndpointRequestTTL.isNegative()) {
            throw new IllegalArgumentException("TTLs must not be negative");
        }
        List<PriorityBand> sorted = new ArrayList<>(bands);
        sorted.sort(Comparator.comparingInt(PriorityBand::priority).reversed());
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).priority() == sorted.get(i - 1).priority()) {
                throw new IllegalArgumentException("two bands have priority " + sorted.get(i).priority());
            }
        }
        bands = List.copyOf(sorted);
    }

    /** llm-d's defaults throughout, with fresh default policy instances. */
    public static FlowControlConfig defaults(boolean enabled) {
        PriorityBand band = new PriorityBand(0, PriorityBand.DEFAULT_MAX_BYTES, PriorityBand.DEFAULT_MAX_REQUESTS,
                new GlobalStrictFairness(GlobalStrictFairness.TYPE), new FcfsOrdering(FcfsOrdering.TYPE),
                DEFAULT_REQUEST_TTL);
        return new FlowControlConfig(enabled, 0, 0, DEFAULT_REQUEST_TTL, DEFAULT_REQUEST_TTL, band, null, List.of(),
                new StaticUsageLimit(StaticUsageLimit.TYPE, StaticUsageLimit.DEFAULT_THRESHOLD),
                new UtilizationDetector(UtilizationDetector.TYPE, UtilizationDetector.Params.DEFAULT), false, null);
    }

    /** The settings of the band for {@code priority}: the listed band, else the (negative) template. */
    public PriorityBand bandFor(int priority) {
        for (PriorityBand b : bands) {
            if (b.priority() == priority) {
                return b;
            }
        }
        PriorityBand template = priority < 0 && defaultNegativeBand != null ? defaultNegativeBand : defaultBand;
        return template.at(priority);
    }

    /** The resolved setup in words, for {@code jetway config check}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("flow control: ").append(enabled ? "on (feature gate " + FEATURE_GATE + ")"
                : "off (feature gate " + FEATURE_GATE + " not set)").append('\n');
        if (!enabled) {
            return sb.toString();
        }
        sb.append("  limits: maxRequests ").append(maxRequests == 0 ? "unlimited" : maxRequests)
                .append(", maxBytes ").append(maxBytes == 0 ? "unlimited" : maxBytes).append(" (over all bands)\n");
        sb.append("  queue TTL: defaultRequestTTL ").append(duration(defaultRequestTTL))
                .append(", noEndpointRequestTTL ").append(duration(noEndpointRequestTTL)).append('\n');
        sb.append("  saturation detector: ").append(line(detector)).append('\n');
        sb.append("  usage limit: ").append(line(usageLimit)).append('\n');
        sb.append("  dispatch: strict priority across bands").append(bandSelection == null ? ""
                : " (" + ref(bandSelection) + ")").append(", then the band's fairness policy, then its ordering\n");
        sb.append("  eviction: ").append(enableEviction ? "on (sheddable requests, lowest priority first, then the "
                + "newest)" : "off").append('\n');
        sb.append("  bands (highest priority first):").append(bands.isEmpty() ? " (none listed)\n" : "\n");
        for (PriorityBand b : bands) {
            sb.append("    priority ").append(b.priority()).append(": ").append(b.describe()).append('\n');
        }
        sb.append("    other priorities: ").append(defaultBand.describe()).append('\n');
        sb.append("    other negative priorities: ").append(defaultNegativeBand == null ? "as other priorities"
                : defaultNegativeBand.describe()).append('\n');
        return sb.toString();
    }

    static String ref(Plugin p) {
        return p.name().equals(p.type()) ? p.type() : p.name() + " (" + p.type() + ")";
    }

    private static String line(Plugin p) {
        String params = p.describeParameters();
        return ref(p) + (params.isEmpty() ? "" : " {" + params + "}");
    }

    static String duration(Duration d) {
        if (d.isZero()) {
            return "none";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
