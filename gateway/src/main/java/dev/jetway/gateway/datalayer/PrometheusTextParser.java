package dev.jetway.gateway.datalayer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small parser of the Prometheus text exposition format (0.0.4), enough for model servers' {@code /metrics}:
 * metric names with colons, quoted label values with {@code \\}, {@code \"} and {@code \n} escapes, NaN and
 * +/-Inf, optional timestamps. Comments and {@code # TYPE}/{@code # HELP} are skipped. Only the names asked for are
 * parsed further, so a large page full of histograms costs a scan, not a parse.
 */
public final class PrometheusTextParser {

    private PrometheusTextParser() {
    }

    /** Samples whose name is in {@code wanted} (all samples when {@code wanted} is null). */
    public static List<PromSample> parse(CharSequence text, Set<String> wanted) {
        List<PromSample> out = new ArrayList<>();
        int len = text.length();
        int pos = 0;
        while (pos < len) {
            int eol = pos;
            while (eol < len && text.charAt(eol) != '\n') {
                eol++;
            }
            parseLine(text, pos, eol, wanted, out);
            pos = eol + 1;
        }
        return out;
    }

    private static void parseLine(CharSequence text, int from, int to, Set<String> wanted, List<PromSample> out) {
        int i = skipSpaces(text, from, to);
        if (i >= to || text.charAt(i) == '#') {
            return;
        }
        int nameStart = i;
        while (i < to && isNameChar(text.charAt(i))) {
            i++;
        }
        if (i == nameStart) {
            throw new MetricsFormatException("bad metric name in line: " + text.subSequence(from, to));
        }
        String name = text.subSequence(nameStart, i).toString();
        if (wanted != null && !wanted.contains(name)) {
            return;
        }
        Map<String, String> labels = Map.of();
        if (i < to && text.charAt(i) == '{') {
            labels = new LinkedHashMap<>();
            i = parseLabels(text, i + 1, to, labels);
        }
        i = skipSpaces(text, i, to);
        int valueStart = i;
        while (i < to && text.charAt(i) != ' ' && text.charAt(i) != '\t' && text.charAt(i) != '\r') {
            i++;
        }
        if (i == valueStart) {
            throw new MetricsFormatException("missing value for " + name);
        }
        out.add(new PromSample(name, labels, parseValue(text.subSequence(valueStart, i).toString())));
        // an optional timestamp follows; model servers' current values do not need it
    }

    /** Parses {@code key="value",...}} from just after the brace; returns the index after the closing brace. */
    private static int parseLabels(CharSequence text, int i, int to, Map<String, String> labels) {
        StringBuilder value = new StringBuilder();
        while (true) {
            i = skipSpaces(text, i, to);
            if (i < to && text.charAt(i) == '}') {
                return i + 1;
            }
            int keyStart = i;
            while (i < to && isNameChar(text.charAt(i))) {
                i++;
            }
            if (i == keyStart || i >= to) {
                throw new MetricsFormatException("bad label name in line: " + text.subSequence(keyStart, to));
            }
            String key = text.subSequence(keyStart, i).toString();
            i = skipSpaces(text, i, to);
            int quote = i + 1 < to && text.charAt(i) == '=' ? skipSpaces(text, i + 1, to) : to;
            if (quote >= to || text.charAt(quote) != '"') {
                // (found by fuzzing: "name{e=" then only spaces to the end of the line read past the line)
                throw new MetricsFormatException("label " + key + " has no quoted value");
            }
            i = quote + 1;
            value.setLength(0);
            while (true) {
                if (i >= to) {
                    throw new MetricsFormatException("unterminated value of label " + key);
                }
                char c = text.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < to) {
                    char e = text.charAt(i++);
                    value.append(switch (e) {
                        case 'n' -> '\n';
                        case '\\' -> '\\';
                        case '"' -> '"';
                        default -> e;
                    });
                } else {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
            i = skipSpaces(text, i, to);
            if (i < to && text.charAt(i) == ',') {
                i++;
            }
        }
    }

    static double parseValue(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new MetricsFormatException("bad sample value: " + s);
                }
            }
        };
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    }

    private static int skipSpaces(CharSequence text, int i, int to) {
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    /** The page is not valid Prometheus text. */
    public static final class MetricsFormatException extends RuntimeException {
        public MetricsFormatException(String message) {
            super(message, null, false, false);
        }
    }
}
