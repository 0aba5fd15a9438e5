package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import java.util.ArrayList;
import java.util.List;

/**
 * How one profile decided: what each filter removed, each scorer's clamped score per surviving endpoint (and its
 * weight), the weighted totals, and the pick. Kept as the arrays the cycle produced anyway; lists and strings are
 * built only when someone asks.
 */
public final class ProfileDecision {

    record FilterStep(String filter, int[] removedSlots) {
    }

    record ScorerStep(String scorer, double weight, double[] clamped) {
    }

    private final String profile;
    private final List<Endpoint> endpoints;
    private final List<FilterStep> filters = new ArrayList<>(4);
    private final List<ScorerStep> scorers = new ArrayList<>(4);
    // The profile's own candidate list, which no plugin changes after the filters: no copy of its slots needed.
    private Candidates survivors;
    private int finalCount;
    private double[] totals;
    private String picker;
    private Pick pick;

    ProfileDecision(String profile, List<Endpoint> endpoints) {
        this.profile = profile;
        this.endpoints = endpoints;
    }

    void filtered(String filter, int[] removedSlots) {
        filters.add(new FilterStep(filter, removedSlots));
    }

    void survivors(Candidates candidates, int count) {
        this.survivors = candidates;
        this.finalCount = count;
    }

    void scored(String scorer, double weight, double[] clamped) {
        scorers.add(new ScorerStep(scorer, weight, clamped));
    }

    void picked(String pickerName, double[] totalScores, Pick result) {
        this.picker = pickerName;
        this.totals = totalScores;
        this.pick = result;
    }

    public String profile() {
        return profile;
    }

    /** Endpoints removed by the named filter, in candidate order. */
    public List<Endpoint> removedBy(String filter) {
        List<Endpoint> out = new ArrayList<>();
        for (FilterStep f : filters) {
            if (f.filter().equals(filter)) {
                for (int s : f.removedSlots()) {
                    out.add(endpoints.get(s));
                }
            }
        }
        return out;
    }

    /** Names of the filters that ran, in order. */
    public List<String> filterNames() {
        return filters.stream().map(FilterStep::filter).toList();
    }

    /** Names of the scorers that ran, in order. */
    public List<String> scorerNames() {
        return scorers.stream().map(ScorerStep::scorer).toList();
    }

    /** Endpoints that survived every filter (the ones scored), in candidate order. */
    public List<Endpoint> scoredEndpoints() {
        List<Endpoint> out = new ArrayList<>(finalCount);
        for (int i = 0; i < finalCount; i++) {
            out.add(endpoints.get(survivors.slot(i)));
        }
        return out;
    }

    /** A scorer's score for an endpoint, clamped to [0, 1] but not weighted; NaN if it was not scored. */
    public double rawScore(String scorer, Endpoint endpoint) {
        int i = positionOf(endpoint);
        for (ScorerStep s : scorers) {
            if (s.scorer().equals(scorer) && i >= 0) {
                return s.clamped()[i];
            }
        }
        return Double.NaN;
    }

    /** A scorer's weighted contribution for an endpoint; NaN if it was not scored. */
    public double weightedScore(String scorer, Endpoint endpoint) {
        int i = positionOf(endpoint);
        for (ScorerStep s : scorers) {
            if (s.scorer().equals(scorer) && i >= 0) {
                return s.clamped()[i] * s.weight();
            }
        }
        return Double.NaN;
    }

    /** The weight the profile gave a scorer; NaN if it is not in the profile. */
    public double weight(String scorer) {
        for (ScorerStep s : scorers) {
            if (s.scorer().equals(scorer)) {
                return s.weight();
            }
        }
        return Double.NaN;
    }

    /** The weighted sum for an endpoint; NaN if it was filtered out. */
    public double total(Endpoint endpoint) {
        int i = positionOf(endpoint);
        return i < 0 || totals == null ? Double.NaN : totals[i];
    }

    public String picker() {
        return picker;
    }

    /** The picked endpoints, best first. */
    public List<Endpoint> picked() {
        return pick == null ? List.of() : pick.targets();
    }

    /** The picker's reason. */
    public String reason() {
        return pick == null ? "no picker ran" : pick.reason();
    }

    private int positionOf(Endpoint endpoint) {
        for (int i = 0; i < finalCount; i++) {
            if (endpoints.get(survivors.slot(i)) == endpoint) {
                return i;
            }
        }
        return -1;
    }

    /** Appends this profile's decision; {@code maxEndpoints} limits how many scored endpoints are listed. */
    void appendTo(StringBuilder sb, int maxEndpoints) {
        sb.append(profile).append(": pick=");
        List<Endpoint> targets = picked();
        if (targets.isEmpty()) {
            sb.append("none");
        } else {
            for (int i = 0; i < targets.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(targets.get(i).id());
            }
        }
        sb.append(" (").append(picker).append(": ").append(reason()).append(')');
        for (FilterStep f : filters) {
            if (f.removedSlots().length > 0) {
                sb.append(" -").append(f.filter()).append('[');
                for (int i = 0; i < f.removedSlots().length; i++) {
                    sb.append(i == 0 ? "" : ",").append(endpoints.get(f.removedSlots()[i]).id());
                }
                sb.append(']');
            }
        }
        if (totals == null) {
            return;
        }
        // Best first, so a truncated list still shows why the winner won.
        Integer[] order = new Integer[finalCount];
        for (int i = 0; i < finalCount; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(totals[b], totals[a]));
        int shown = Math.min(finalCount, maxEndpoints);
        sb.append(" scores");
        for (int k = 0; k < shown; k++) {
            int i = order[k];
            sb.append(k == 0 ? " " : "; ").append(endpoints.get(survivors.slot(i)).id()).append('=')
                    .append(fmt(totals[i]));
            if (!scorers.isEmpty()) {
                sb.append('{');
                for (int j = 0; j < scorers.size(); j++) {
                    ScorerStep s = scorers.get(j);
                    sb.append(j == 0 ? "" : ",").append(s.scorer()).append('=').append(fmt(s.clamped()[i]))
                            .append('x').append(fmt(s.weight()));
                }
                sb.append('}');
            }
        }
        if (finalCount > shown) {
            sb.append("; +").append(finalCount - shown).append(" more");
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
