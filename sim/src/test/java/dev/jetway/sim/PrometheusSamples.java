package dev.jetway.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format (0.0.4): fails on any line a scraper would reject. */
final class PrometheusSamples {

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*)\\})? "
                    + "([-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    private final Map<String, Double> samples = new HashMap<>();
    private final Set<String> types = new HashSet<>();

    static PrometheusSamples parse(String text) {
        PrometheusSamples parsed = new PrometheusSamples();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                Matcher type = TYPE.matcher(line);
                if (!type.matches()) {
                    throw new AssertionError("bad TYPE line: " + line);
                }
                parsed.types.add(type.group(1));
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new AssertionError("not a Prometheus sample: " + line);
            }
            String key = sample.group(1) + (sample.group(3) == null ? "" : "{" + sample.group(3) + "}");
            if (parsed.samples.put(key, Double.parseDouble(sample.group(4).replace("Inf", "Infinity"))) != null) {
                throw new AssertionError("duplicate sample: " + key);
            }
        }
        return parsed;
    }

    /** The value of {@code name{labels}} where labels are written exactly as exported; fails if absent. */
    double value(String nameAndLabels) {
        Double value = samples.get(nameAndLabels);
        if (value == null) {
            throw new AssertionError("no sample " + nameAndLabels + " among " + samples.keySet());
        }
        return value;
    }

    boolean hasType(String name) {
        return types.contains(name);
    }

    Set<String> keys() {
        return samples.keySet();
    }
}
