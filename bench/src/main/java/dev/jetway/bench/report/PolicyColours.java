package dev.jetway.bench.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One colour per policy in every chart of every report, so a reader who learnt "blue is jetway" in one report can
 * compare another at a glance. The policies we ship have fixed colours; any other name gets one from its hash.
 * A run name such as {@code jetway@4} or {@code jetway aggregated x4} takes its policy's colour; when two series of
 * one chart would share a colour (the same policy at two pool sizes), the later one moves to the next free colour.
 */
final class PolicyColours {

    /** Okabe–Ito colour-blind-safe palette, then a few darker tones for larger charts. */
    private static final List<Color> PALETTE = List.of(
            new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
            new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000),
            new Color(0x6A3D9A), new Color(0x8C564B), new Color(0x7F7F7F), new Color(0x17BECF));

    private static final Color ROUND_ROBIN = new Color(0x999999);

    private static final Map<String, Color> SHIPPED = Map.ofEntries(
            Map.entry("jetway", PALETTE.get(0)),
            Map.entry("precise", PALETTE.get(1)),
            Map.entry("approximate", PALETTE.get(2)),
            Map.entry("dynamo-kv-cost", PALETTE.get(3)),
            Map.entry("jetway-precise", PALETTE.get(4)),
            Map.entry("jetway-approximate", PALETTE.get(5)),
            Map.entry("load-aware", PALETTE.get(8)),
            Map.entry("random", PALETTE.get(9)),
            Map.entry("jetway-pd", PALETTE.get(7)),
            Map.entry("pd", PALETTE.get(11)),
            Map.entry("round-robin", ROUND_ROBIN));

    private PolicyColours() {
    }

    /** The colours of a chart's series, in order, distinct within the chart. */
    static List<Color> forSeries(List<String> names) {
        List<Color> colours = new ArrayList<>(names.size());
        Set<Color> used = new HashSet<>();
        for (String name : names) {
            Color c = of(name);
            int i = PALETTE.indexOf(c);
            for (int step = 0; used.contains(c) && step < PALETTE.size(); step++) {
                i = (i + 1) % PALETTE.size();
                c = PALETTE.get(i);
            }
            used.add(c);
            colours.add(c);
        }
        return colours;
    }

    /** The colour of a policy or of a run named after one. */
    static Color of(String name) {
        String policy = policyOf(name);
        Color shipped = SHIPPED.get(policy);
        return shipped != null ? shipped : PALETTE.get(Math.floorMod(policy.hashCode(), PALETTE.size()));
    }

    /** {@code jetway@4} and {@code jetway aggregated x4} are runs of {@code jetway}. */
    static String policyOf(String runName) {
        int cut = runName.length();
        for (char c : new char[] {'@', ' '}) {
            int i = runName.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return runName.substring(0, cut);
    }
}
