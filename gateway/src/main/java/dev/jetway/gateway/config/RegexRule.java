package dev.jetway.gateway.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A named regular expression of {@code guardrails} or {@code audit} in jetway.yaml (Java syntax): a {@code deny} rule
 * refuses what it matches with its {@code reason}; a {@code redact} rule rewrites every match to its
 * {@code replacement} ({@code $1} refers to a group).
 *
 * @param name        the rule's name: the {@code rule} label of its metrics and what the audit record notes; defaults
 *                    to {@code deny-N} / {@code redact-N} by position
 * @param pattern     the expression, searched anywhere in the text ({@code find}, not a full match)
 * @param reason      deny rules: the message the client gets (default: "the request matches content policy rule NAME")
 * @param replacement redact rules: what a match becomes (default {@code [REDACTED]})
 */
public record RegexRule(String name, String pattern, String reason, String replacement) {

    public static final String DEFAULT_REPLACEMENT = "[REDACTED]";

    /** Compiled, with the defaults filled in and the pattern checked; {@code key} names the list in errors. */
    static List<RegexRule> checked(String key, String kind, List<RegexRule> rules) {
        if (rules == null) {
            return List.of();
        }
        java.util.ArrayList<RegexRule> out = new java.util.ArrayList<>(rules.size());
        java.util.HashSet<String> names = new java.util.HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            RegexRule r = rules.get(i);
            String at = key + "[" + i + "]";
            if (r == null || r.pattern() == null || r.pattern().isEmpty()) {
                throw new IllegalArgumentException(at + " needs a pattern");
            }
            try {
                Pattern.compile(r.pattern());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(at + ".pattern is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex() + " of " + r.pattern());
            }
            String name = r.name() == null || r.name().isBlank() ? kind + "-" + i : r.name();
            if (!name.matches("[A-Za-z0-9_.:-]{1,64}")) {
                throw new IllegalArgumentException(at + ".name must be 1-64 letters, digits or _.:- (it is a metric "
                        + "label), got " + name);
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(at + ": two rules of " + key + " are named " + name);
            }
            if (kind.equals("deny") && r.replacement() != null) {
                throw new IllegalArgumentException(at + ": a deny rule refuses, it has no replacement (use redact)");
            }
            if (kind.equals("redact") && r.reason() != null) {
                throw new IllegalArgumentException(at + ": a redact rule rewrites, it has no reason (use deny)");
            }
            if (kind.equals("redact") && r.replacement() != null) {
                String problem = replacementProblem(Pattern.compile(r.pattern()), r.replacement());
                if (problem != null) {
                    throw new IllegalArgumentException(at + ".replacement " + problem);
                }
            }
            String reason = r.reason() != null ? r.reason() : "the request matches content policy rule " + name;
            String replacement = r.replacement() != null ? r.replacement() : DEFAULT_REPLACEMENT;
            out.add(new RegexRule(name, r.pattern(), kind.equals("deny") ? reason : null,
                    kind.equals("redact") ? replacement : null));
        }
        return List.copyOf(out);
    }

    /** Why {@code replacement} would fail on a match of {@code pattern} (a group it lacks, a dangling $ or \\), or null. */
    private static String replacementProblem(Pattern pattern, String replacement) {
        int groups = pattern.matcher("").groupCount();
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                if (++i == replacement.length()) {
                    return "ends with a lone backslash (write \\\\ for a backslash)";
                }
            } else if (c == '$') {
                if (i + 1 == replacement.length()) {
                    return "ends with a lone $ (write \\$ for a dollar sign)";
                }
                char next = replacement.charAt(i + 1);
                if (next == '{') {
                    int end = replacement.indexOf('}', i);
                    String group = end < 0 ? "" : replacement.substring(i + 2, end);
                    if (end < 0 || !pattern.pattern().contains("(?<" + group + ">")) {
                        return "refers to a named group ${" + group + "} the pattern does not have";
                    }
                    i = end;
                } else if (Character.isDigit(next)) {
                    if (next - '0' > groups) {
                        return "refers to group $" + next + " but the pattern has " + groups;
                    }
                    i++;
                } else {
                    return "has a $ not followed by a group number or {name} (write \\$ for a dollar sign)";
                }
            }
        }
        return null;
    }
}
