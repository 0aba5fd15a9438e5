package dev.jetway.gateway.datalayer.engines;

import java.util.List;

/** The engines Jetway reads, by their jetway.yaml name, and recognising one from its metrics page. */
public final class EngineAdapters {

    /** {@code engine: auto}: recognise the engine from the series on its page. */
    public static final String AUTO = "auto";

    private static final List<EngineAdapter> ALL = List.of(new VllmAdapter(), new SglangAdapter(),
            new TrtllmServeAdapter(), new TritonTrtllmAdapter(), new TgiAdapter(), new LlamaCppAdapter());

    private EngineAdapters() {
    }

    /** Every name jetway.yaml accepts for {@code engine}, {@value #AUTO} last. */
    public static List<String> names() {
        return java.util.stream.Stream.concat(ALL.stream().map(EngineAdapter::name), java.util.stream.Stream.of(AUTO))
                .toList();
    }

    /** The adapter named {@code name}; null for {@value #AUTO}. */
    public static EngineAdapter named(String name) {
        if (AUTO.equals(name)) {
            return null;
        }
        for (EngineAdapter a : ALL) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown engine " + name + "; one of " + names());
    }

    /**
     * The engine whose series the page carries, or null when none is recognised. Looks only at the start of each
     * line, so a page costs a scan, not a parse; comments name series too ({@code # HELP vllm:...}) and count.
     */
    public static EngineAdapter detect(CharSequence page) {
        int len = page.length();
        int pos = 0;
        while (pos < len) {
            int start = pos;
            if (page.charAt(start) == '#') {
                // "# HELP name ..." / "# TYPE name ...": the name is the third word
                int word = 0;
                while (pos < len && page.charAt(pos) != '\n' && word < 2) {
                    if (page.charAt(pos) == ' ') {
                        word++;
                    }
                    pos++;
                }
                start = pos;
            }
            int end = start;
            while (end < len && isNameChar(page.charAt(end))) {
                end++;
            }
            if (end > start) {
                String name = page.subSequence(start, end).toString();
                for (EngineAdapter a : ALL) {
                    if (a.recognises(name)) {
                        return a;
                    }
                }
            }
            while (pos < len && page.charAt(pos) != '\n') {
                pos++;
            }
            pos++;
        }
        return null;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    }
}
