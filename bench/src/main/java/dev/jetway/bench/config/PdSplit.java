package dev.jetway.bench.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many prefill and decode replicas a P/D pool has, written {@code xPyD} as llm-d writes it ({@code 8P2D}: eight
 * prefill replicas, two decode replicas).
 */
public record PdSplit(int prefill, int decode) {

    private static final Pattern FORM = Pattern.compile("(\\d+)P(\\d+)D");

    public PdSplit {
        if (prefill < 1 || decode < 1) {
            throw new IllegalArgumentException("a P/D split needs at least one prefill and one decode replica: "
                    + prefill + "P" + decode + "D");
        }
    }

    /** {@code 8P2D} (case-insensitive); a clear error naming {@code where} otherwise. */
    public static PdSplit parse(String value, String where) {
        String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        Matcher m = FORM.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": '" + value + "' is not a P/D split; write xPyD, e.g. 8P2D "
                    + "(x prefill and y decode replicas)");
        }
        int p;
        int d;
        try {
            p = Integer.parseInt(m.group(1));
            d = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": '" + value + "' has a replica count out of range");
        }
        if (p < 1 || d < 1) {
            throw new IllegalArgumentException(where + ": '" + value + "' needs at least one prefill and one decode "
                    + "replica");
        }
        return new PdSplit(p, d);
    }

    /** {@code 2P6D,4P4D,...}: several splits, each parsed as {@link #parse}; duplicates refused. */
    public static List<PdSplit> parseList(List<String> values, String where) {
        List<PdSplit> out = new ArrayList<>();
        for (String v : values) {
            PdSplit s = parse(v, where);
            if (out.contains(s)) {
                throw new IllegalArgumentException(where + ": " + s + " is given twice");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(where + ": give at least one split, e.g. 8P2D");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return prefill + "P" + decode + "D";
    }
}
