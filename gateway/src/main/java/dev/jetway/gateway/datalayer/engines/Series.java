package dev.jetway.gateway.datalayer.engines;

import dev.jetway.gateway.datalayer.PromSample;
import java.util.List;

/**
 * Reading signals out of samples the way every engine needs: counts summed over the series of one name (data-parallel
 * ranks, several models of one server), usage as the fullest series, numbers from labels. NaN and infinite samples
 * count as absent; absent is -1 for counts and NaN for usage.
 */
final class Series {

    private Series() {
    }

    /** The sum of the named series whose label {@code key} is {@code value} (any labels when key is null), or -1. */
    static double sum(List<PromSample> samples, String name, String key, String value) {
        double sum = -1;
        for (PromSample s : samples) {
            if (matches(s, name, key, value) && Double.isFinite(s.value())) {
                sum = Math.max(sum, 0) + s.value();
            }
        }
        return sum;
    }

    static double sum(List<PromSample> samples, String name) {
        return sum(samples, name, null, null);
    }

    /** The largest of the named series (with label {@code key} = {@code value} when key is not null), or NaN. */
    static double max(List<PromSample> samples, String name, String key, String value) {
        double max = Double.NaN;
        for (PromSample s : samples) {
            if (matches(s, name, key, value) && Double.isFinite(s.value())) {
                max = Double.isNaN(max) ? s.value() : Math.max(max, s.value());
            }
        }
        return max;
    }

    static double max(List<PromSample> samples, String name) {
        return max(samples, name, null, null);
    }

    /** The first series of that name, or null. */
    static PromSample first(List<PromSample> samples, String name) {
        for (PromSample s : samples) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** A whole number from a label, or {@code fallback} when the label is missing or not a number. */
    static int intLabel(PromSample s, String label, int fallback) {
        if (s == null) {
            return fallback;
        }
        String v = s.label(label);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            return Double.isFinite(d) && d >= 0 ? (int) Math.min(d, Integer.MAX_VALUE) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** A count as an int: -1 when absent or negative. */
    static int count(double value) {
        return value < 0 || Double.isNaN(value) ? -1 : (int) Math.min(value, Integer.MAX_VALUE);
    }

    /** A usage fraction: NaN when absent; clamped to 0..1. */
    static double fraction(double value) {
        return Double.isNaN(value) ? Double.NaN : Math.clamp(value, 0.0, 1.0);
    }

    private static boolean matches(PromSample s, String name, String key, String value) {
        return s.name().equals(name) && (key == null || value.equals(s.label(key)));
    }
}
