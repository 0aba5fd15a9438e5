package dev.jetway.scheduler.plugins.pd;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.ProfileResult;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.AttributeKey;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.ProfileHandler;
import dev.jetway.scheduler.spi.SchedulingContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code disagg-profile-handler} (old name {@code pd-profile-handler}): prefill/decode disaggregation. The decode
 * profile picks the endpoint that serves the request; a {@link PdDecider} then says whether the prompt is worth
 * prefilling elsewhere, and if so the prefill profile picks where. The decode profile is primary; the decision, with
 * the prefill endpoints, is left in the context as a {@link PdDecision}.
 *
 * <p>{@code stageOrder: prefill-first} runs the prefill profile first, always (llm-d publishes its pick for topology
 * constraints on decode); the decider still has the last word.
 *
 * <p>An endpoint that may do both phases is never its own prefiller: prefilling and decoding on one endpoint is just
 * aggregated serving with an extra round trip.
 */
public final class DisaggProfileHandler implements ProfileHandler {

    public static final String TYPE = "disagg-profile-handler";
    public static final String LEGACY_TYPE = "pd-profile-handler";
    public static final Set<String> STAGE_ORDERS = Set.of("decode-first", "prefill-first");

    /** The decider's verdict while the prefill profile runs (decode-first) or the decode profile (prefill-first). */
    private static final AttributeKey<PdDecider.Verdict> VERDICT =
            AttributeKey.of("pd-verdict", PdDecider.Verdict.class);

    private final String name;
    private final String decodeProfile;
    private final String prefillProfile;
    private final String deciderName;
    private final boolean prefillFirst;
    private final boolean aggregatedFallback;
    private final PdDecider decider;

    private DisaggProfileHandler(String name, String decodeProfile, String prefillProfile, String deciderName,
                                 boolean prefillFirst, boolean aggregatedFallback, PdDecider decider) {
        this.name = name;
        this.decodeProfile = decodeProfile;
        this.prefillProfile = prefillProfile;
        this.deciderName = deciderName;
        this.prefillFirst = prefillFirst;
        this.aggregatedFallback = aggregatedFallback;
        this.decider = decider;
    }

    /**
     * Reads llm-d's parameters ({@code profiles.{decode,prefill}}, {@code deciders.prefill}, {@code stageOrder}),
     * Jetway's {@code aggregatedFallback}, and the v0.2-v0.6 {@code pd-profile-handler} fields ({@code
     * decodeProfile}, {@code prefillProfile}, {@code deciderPluginName}, and {@code threshold} in characters with
     * {@code hashBlockSize}, which become a {@link CharacterThresholdDecider}).
     */
    public static DisaggProfileHandler create(String name, PluginParameters p) {
        JsonNode profiles = p.raw("profiles");
        JsonNode deciders = p.raw("deciders");
        String decode = text(p, profiles, "decode", p.string("decodeProfile", "decode"));
        String prefill = text(p, profiles, "prefill", p.string("prefillProfile", "prefill"));
        if (profiles != null && profiles.has("encode")) {
            throw p.error("profiles", "has 'encode': encode disaggregation is not built yet in Jetway");
        }
        if (deciders != null && deciders.has("encode")) {
            throw p.error("deciders", "has 'encode': encode disaggregation is not built yet in Jetway");
        }
        String deciderName = text(p, deciders, "prefill", p.string("deciderPluginName", null));
        String order = p.oneOf("stageOrder", "decode-first", STAGE_ORDERS);
        boolean fallback = p.bool("aggregatedFallback", false);
        PdDecider legacy = null;
        if (p.has("threshold") && deciderName == null) {
            long threshold = p.integer("threshold", 0L, 0L, Long.MAX_VALUE);
            legacy = new CharacterThresholdDecider(name, threshold);
        }
        p.integer("hashBlockSize", 64, 1, Integer.MAX_VALUE); // the character blocks of the old index; see below
        // Read, not acted on: the old prefix-plugin lookup (Jetway reads the pipeline's prefix matches) and the
        // sidecar's port (the gateway addresses endpoints by their own address).
        p.accept("prefixPluginName", "prefixPluginType", "primaryPort");
        return new DisaggProfileHandler(name, decode, prefill, deciderName, order.equals("prefill-first"), fallback,
                legacy);
    }

    private static String text(PluginParameters p, JsonNode parent, String field, String dflt) {
        if (parent == null || parent.isNull()) {
            return dflt;
        }
        if (!parent.isObject()) {
            throw new ConfigException("plugin '" + p.pluginName() + "' (" + p.pluginType() + "): '" + field
                    + "' must sit in a mapping");
        }
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new ConfigException("plugin '" + p.pluginName() + "' (" + p.pluginType() + "): '" + field
                    + "' must name a " + (dflt == null ? "plugin" : "profile"));
        }
        return v.asText();
    }

    /** The decider plugin this handler names ({@code deciders.prefill}), or null when it names none. */
    public String deciderName() {
        return deciderName;
    }

    public String decodeProfile() {
        return decodeProfile;
    }

    public String prefillProfile() {
        return prefillProfile;
    }

    /** This handler with its decider resolved (the pipeline builder looks the named plugin up). */
    public DisaggProfileHandler withDecider(PdDecider resolved) {
        return new DisaggProfileHandler(name, decodeProfile, prefillProfile, deciderName, prefillFirst,
                aggregatedFallback, resolved);
    }

    /** The decider that runs: the named one, the legacy character threshold, or null before binding. */
    public PdDecider decider() {
        return decider;
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
        return "profiles={decode: " + decodeProfile + ", prefill: " + prefillProfile + "}, deciders={prefill: "
                + (decider == null ? "none" : decider.name()) + "}, stageOrder="
                + (prefillFirst ? "prefill-first" : "decode-first") + ", aggregatedFallback=" + aggregatedFallback;
    }

    @Override
    public List<SchedulingProfile> pick(SchedulingContext context, Map<String, SchedulingProfile> profiles,
                                        Map<String, ProfileResult> results) {
        ProfileResult decode = results.get(decodeProfile);
        ProfileResult prefill = results.get(prefillProfile);
        if (prefillFirst) {
            if (prefill == null) {
                return List.of(profiles.get(prefillProfile));
            }
            if (decode == null) {
                return List.of(profiles.get(decodeProfile));
            }
            if (context.get(PdDecision.KEY) == null) {
                decideAfterBoth(context, decode, prefill);
            }
            return List.of();
        }
        if (decode == null) {
            return List.of(profiles.get(decodeProfile));
        }
        if (decode.primary() == null) {
            return List.of(); // no decode endpoint: nothing to serve the request, the result is empty
        }
        if (prefill == null) {
            PdDecider.Verdict verdict = decider.decide(context, decode.primary());
            if (!verdict.split()) {
                context.put(PdDecision.KEY, new PdDecision(PdDecision.Kind.DECODE_ONLY, decider.name(),
                        verdict.reason(), List.of(), aggregatedFallback));
                return List.of();
            }
            context.put(VERDICT, verdict);
            return List.of(profiles.get(prefillProfile));
        }
        if (context.get(PdDecision.KEY) == null) {
            conclude(context, context.get(VERDICT), decode.primary(), prefill);
        }
        return List.of();
    }

    private void decideAfterBoth(SchedulingContext context, ProfileResult decode, ProfileResult prefill) {
        if (decode.primary() == null) {
            return;
        }
        PdDecider.Verdict verdict = decider.decide(context, decode.primary());
        if (!verdict.split()) {
            context.put(PdDecision.KEY, new PdDecision(PdDecision.Kind.DECODE_ONLY, decider.name(), verdict.reason(),
                    List.of(), aggregatedFallback));
            return;
        }
        conclude(context, verdict, decode.primary(), prefill);
    }

    private void conclude(SchedulingContext context, PdDecider.Verdict verdict, Endpoint decodePick,
                          ProfileResult prefill) {
        List<Endpoint> prefillTargets = new ArrayList<>(prefill.targets());
        prefillTargets.remove(decodePick);
        if (prefillTargets.isEmpty()) {
            context.put(PdDecision.KEY, new PdDecision(PdDecision.Kind.NO_PREFILL_ENDPOINT, decider.name(),
                    verdict.reason() + "; no prefill endpoint is eligible", List.of(), aggregatedFallback));
            return;
        }
        context.put(PdDecision.KEY, new PdDecision(PdDecision.Kind.PREFILL_DECODE, decider.name(), verdict.reason(),
                prefillTargets, aggregatedFallback));
    }

    @Override
    public String primaryProfile(SchedulingContext context, Map<String, ProfileResult> results) {
        return results.containsKey(decodeProfile) ? decodeProfile : results.keySet().iterator().next();
    }
}
