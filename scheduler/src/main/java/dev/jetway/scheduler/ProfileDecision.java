package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How one profile decided: what each filter removed, each scorer's clamped score (and its weight) and the weighted
 * total for the endpoints it explains, and the pick. Lists and strings are built only when someone asks.
 *
 * <p>Which endpoints are explained: by default the {@value DecisionRecord#COMPACT_MAX_ENDPOINTS} best totals and
 * every picked endpoint (what the {@code x-jetway-decision} header shows), copied out of the cycle's reused
 * buffers so that a decision costs the same for 8 endpoints as for 1,000; with
 * {@link Scheduler#setExplainAll(boolean)} (or debug logging) every endpoint that survived the filters.
 */
public final class ProfileDecision {

    record FilterStep(String filter, int[] removedSlots) {
    }

    private static final String[] NO_SCORERS = new String[0];

    private final String profile;
    private final List<Endpoint> endpoints;
    private final List<FilterStep> filters = new ArrayList<>(4);
    private String[] scorerNames = NO_SCORERS;
    private double[] weights = new double[0];
    private Endpoint[] explained = new Endpoint[0];
    private double[] totals = new double[0];
    /** {@code clamped[scorer][j]}: the scorer's clamped score of {@code explained[j]}. */
    private double[][] clamped = new double[0][];
    private int scoredCount;
    private String picker;
    private Pick pick;

    private final dev.jetway.scheduler.spi.SchedulingContext context;

    ProfileDecision(String profile, List<Endpoint> endpoints) {
        this(profile, endpoints, null);
    }

    ProfileDecision(String profile, List<Endpoint> endpoints, dev.jetway.scheduler.spi.SchedulingContext context) {
        this.profile = profile;
        this.endpoints = endpoints;
        this.context = context;
    }

    void filtered(String filter, int[] removedSlots) {
        filters.add(new FilterStep(filter, removedSlots));
    }

    /**
     * Copies what this decision explains out of the cycle's buffers, which the next cycle reuses.
     *
     * @param candidates the {@code scored} survivors of the filters
     * @param scores     per scorer, its clamped scores by candidate position (null when nothing was scored)
     * @param sums       the weighted totals by candidate position
     */
    void decided(Candidates candidates, int scored, List<WeightedScorer> scorers, double[][] scores, double[] sums,
                 String pickerName, Pick result, boolean explainAll) {
        this.picker = pickerName;
        this.pick = result;
        this.scoredCount = scored;
        if (scored == 0) {
            return;
        }
        scorerNames = new String[scorers.size()];
        weights = new double[scorers.size()];
        for (int s = 0; s < scorerNames.length; s++) {
            scorerNames[s] = scorers.get(s).scorer().name();
            weights[s] = scorers.get(s).weight();
        }
        int[] positions = explainAll ? allPositions(scored) : bestAndPicked(candidates, scored, sums, result);
        int k = positions.length;
        explained = new Endpoint[k];
        totals = new double[k];
        clamped = new double[scorerNames.length][k];
        for (int j = 0; j < k; j++) {
            int p = positions[j];
            explained[j] = candidates.get(p);
            totals[j] = sums[p];
            for (int s = 0; s < scorerNames.length; s++) {
                clamped[s][j] = scores[s][p];
            }
        }
    }

    private static int[] allPositions(int n) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /**
     * The best totals (ties in candidate order, as a stable sort gives), found in one pass, then any picked endpoint
     * not among them (max-score picks usually are; other pickers may need a scan).
     */
    private static int[] bestAndPicked(Candidates candidates, int n, double[] sums, Pick result) {
        int best = Math.min(n, DecisionRecord.COMPACT_MAX_ENDPOINTS);
        List<Endpoint> picked = result.targets();
        int[] chosen = new int[best + picked.size()];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (k == best && !(sums[i] > sums[chosen[k - 1]])) {
                continue;
            }
            int at = k < best ? k++ : k - 1;
            while (at > 0 && sums[i] > sums[chosen[at - 1]]) {
                chosen[at] = chosen[at - 1];
                at--;
            }
            chosen[at] = i;
        }
        for (Endpoint e : picked) {
            if (indexOf(candidates, chosen, k, e) < 0) {
                for (int i = 0; i < n; i++) {
                    if (candidates.get(i) == e) {
                        chosen[k++] = i;
                        break;
                    }
                }
            }
        }
        return k == chosen.length ? chosen : Arrays.copyOf(chosen, k);
    }

    private static int indexOf(Candidates candidates, int[] positions, int count, Endpoint e) {
        for (int j = 0; j < count; j++) {
            if (candidates.get(positions[j]) == e) {
                return j;
            }
        }
        return -1;
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
        return List.of(scorerNames);
    }

    /** How many endpoints survived every filter and were scored. */
    public int scoredCount() {
        return scoredCount;
    }

    /**
     * The scored endpoints this decision explains (see the class comment): every one with
     * {@link Scheduler#setExplainAll(boolean)}, else the best few and the picked; best totals first.
     */
    public List<Endpoint> scoredEndpoints() {
        return List.of(explained);
    }

    /** A scorer's score for an endpoint, clamped to [0, 1] but not weighted; NaN if it was not scored or explained. */
    public double rawScore(String scorer, Endpoint endpoint) {
        int i = positionOf(endpoint);
        int s = scorerIndex(scorer);
        return i < 0 || s < 0 ? Double.NaN : clamped[s][i];
    }

    /** A scorer's weighted contribution for an endpoint; NaN if it was not scored or explained. */
    public double weightedScore(String scorer, Endpoint endpoint) {
        int i = positionOf(endpoint);
        int s = scorerIndex(scorer);
        return i < 0 || s < 0 ? Double.NaN : clamped[s][i] * weights[s];
    }

    /** The weight the profile gave a scorer; NaN if it is not in the profile. */
    public double weight(String scorer) {
        int s = scorerIndex(scorer);
        return s < 0 ? Double.NaN : weights[s];
    }

    /** The weighted sum for an endpoint; NaN if it was filtered out or is not explained. */
    public double total(Endpoint endpoint) {
        int i = positionOf(endpoint);
        return i < 0 ? Double.NaN : totals[i];
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
        for (int i = 0; i < explained.length; i++) {
            if (explained[i] == endpoint) {
                return i;
            }
        }
        return -1;
    }

    private int scorerIndex(String scorer) {
        for (int s = 0; s < scorerNames.length; s++) {
            if (scorerNames[s].equals(scorer)) {
                return s;
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
        if (explained.length == 0) {
            return;
        }
        // Best first, so a truncated list still shows why the winner won.
        Integer[] order = new Integer[explained.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(totals[b], totals[a]));
        int shown = Math.min(order.length, maxEndpoints);
        List<dev.jetway.scheduler.spi.EndpointExplainer> explainers =
                context == null ? List.of() : context.explainers();
        sb.append(" scores");
        for (int k = 0; k < shown; k++) {
            int i = order[k];
            sb.append(k == 0 ? " " : "; ").append(explained[i].id()).append('=').append(fmt(totals[i]));
            if (scorerNames.length > 0) {
                sb.append('{');
                for (int s = 0; s < scorerNames.length; s++) {
                    sb.append(s == 0 ? "" : ",").append(scorerNames[s]).append('=').append(fmt(clamped[s][i]))
                            .append('x').append(fmt(weights[s]));
                }
                sb.append('}');
            }
            if (!explainers.isEmpty()) {
                int slot = endpoints.indexOf(explained[i]);
                for (dev.jetway.scheduler.spi.EndpointExplainer x : explainers) {
                    int before = sb.length();
                    sb.append(' ');
                    x.explain(slot, sb);
                    if (sb.length() == before + 1) {
                        sb.setLength(before);
                    }
                }
            }
        }
        if (scoredCount > shown) {
            sb.append("; +").append(scoredCount - shown).append(" more");
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
