package dev.jetway.bench.sim;

import dev.jetway.bench.metrics.GatewayReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an active-active run measures, split at the kill time by when each request was routed: the replica each
 * request went to (to compare with the single-gateway run of the same requests), how often the gateway's pick was the
 * shadow's (a single gateway that saw everything), and per phase the prefix hit rate and TTFT p90 of the completed
 * requests.
 */
final class AgreementTally {

    private final long killAtNanos;
    private final int[] baseline;
    private int[] choices;
    private final Phase[] phases = {new Phase(), new Phase()};

    private static final class Phase {
        long decisions;
        long shadowCompared;
        long shadowSame;
        long runCompared;
        long runSame;
        long promptTokens;
        long cachedTokens;
        final List<Double> ttfts = new ArrayList<>();

        GatewayReport.Phase report(boolean measured) {
            double[] t = ttfts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Double p90 = t.length == 0 ? null : t[Math.min(t.length - 1, (int) Math.ceil(0.9 * t.length) - 1)];
            return new GatewayReport.Phase(decisions,
                    measured && shadowCompared > 0 ? (double) shadowSame / shadowCompared : null,
                    measured && runCompared > 0 ? (double) runSame / runCompared : null,
                    promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens, p90);
        }
    }

    /**
     * @param killAtNanos the phase boundary, or -1 for one phase
     * @param baseline    the single-gateway run's replica per request index, or null for that run itself
     */
    AgreementTally(int requests, long killAtNanos, int[] baseline) {
        this.killAtNanos = killAtNanos;
        this.baseline = baseline;
        this.choices = new int[Math.max(1, requests)];
        Arrays.fill(choices, -1);
    }

    private Phase phase(long nanos) {
        return phases[killAtNanos >= 0 && nanos >= killAtNanos ? 1 : 0];
    }

    /**
     * Request {@code index} was routed to {@code replica} at {@code nanos}; the shadow would have chosen
     * {@code shadowReplica} (-1: no shadow, or it found no endpoint).
     */
    void decided(long index, long nanos, int replica, int shadowReplica, boolean shadowed) {
        int i = Math.toIntExact(index);
        if (i >= choices.length) {
            int old = choices.length;
            choices = Arrays.copyOf(choices, Math.max(i + 1, 2 * old));
            Arrays.fill(choices, old, choices.length, -1);
        }
        choices[i] = replica;
        Phase p = phase(nanos);
        p.decisions++;
        if (shadowed) {
            p.shadowCompared++;
            if (shadowReplica == replica) {
                p.shadowSame++;
            }
        }
        if (baseline != null && i < baseline.length && baseline[i] >= 0) {
            p.runCompared++;
            if (baseline[i] == replica) {
                p.runSame++;
            }
        }
    }

    /** A routed request ended: its cache hits count in its routing phase, and its TTFT when it completed. */
    void ended(long decidedNanos, boolean ok, int promptTokens, int cachedTokens, long ttftNanos) {
        if (!ok) {
            return;
        }
        Phase p = phase(decidedNanos);
        p.promptTokens += promptTokens;
        p.cachedTokens += cachedTokens;
        if (ttftNanos >= 0) {
            p.ttfts.add(ttftNanos / 1e9);
        }
    }

    /** The replica each request index went to (-1: not routed). */
    int[] choices() {
        return choices.clone();
    }

    GatewayReport report(Gateways gateways) {
        boolean measured = gateways.several();
        PeerExchange x = gateways.exchange();
        String sync = x == null ? "none" : String.format(Locale.ROOT, "every %.0f ms, delay %.0f ms",
                x.periodNanos() / 1e6, x.delayNanos() / 1e6);
        return new GatewayReport(gateways.count(), killAtNanos < 0 ? null : killAtNanos / 1e9,
                gateways.spread().name().toLowerCase(Locale.ROOT).replace('_', '-'), measured ? sync : "none",
                phases[0].report(measured), killAtNanos < 0 ? null : phases[1].report(measured));
    }
}
