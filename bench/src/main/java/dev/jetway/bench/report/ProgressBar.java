package dev.jetway.bench.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A progress line on stderr for long runs: per policy (or target) the share of requests finished. Redrawn in place on
 * a terminal, printed at most every 10 % otherwise; at most 4 updates a second.
 */
public final class ProgressBar {

    private final PrintStream out;
    private final boolean terminal;
    private final Map<String, Double> shares = new TreeMap<>();
    private long lastDraw;
    private int lastDecile = -1;

    public ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    public synchronized void update(String name, int done, int total) {
        shares.put(name, total == 0 ? 1.0 : (double) done / total);
        long now = System.nanoTime();
        double min = shares.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        int decile = (int) (min * 10);
        if (terminal ? now - lastDraw < 250_000_000L : decile == lastDecile) {
            return;
        }
        lastDraw = now;
        lastDecile = decile;
        StringBuilder line = new StringBuilder();
        shares.forEach((n, share) -> line.append(n).append(' ').append(bar(share)).append(' ')
                .append(String.format(Locale.ROOT, "%3.0f%%", share * 100)).append("  "));
        out.print(terminal ? "\r" + line : line + "\n");
        out.flush();
    }

    public synchronized void done() {
        if (terminal && lastDraw != 0) {
            out.println();
        }
    }

    private static String bar(double share) {
        int filled = (int) Math.round(share * 20);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }
}
