package dev.jetway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code jetway --version}: the project version and the git commit it was built from (the build writes both into
 * {@code jetway-version.properties}), and the Java runtime.
 */
final class JetwayVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {line(read())};
    }

    /**
     * Puts what produced a report into its settings ({@code jetway_version}, {@code generated_at}), so the JSON,
     * Markdown and HTML all say which build made them and when.
     */
    static void stamp(java.util.Map<String, Object> settings) {
        Properties p = read();
        String version = known(p.getProperty("version"));
        String commit = known(p.getProperty("commit"));
        boolean dirty = "true".equals(p.getProperty("dirty"));
        settings.put("jetway_version", "jetway " + (version == null ? "(version unknown)" : version)
                + (commit == null ? "" : " (commit " + commit + (dirty ? "-dirty" : "") + ")"));
        settings.put("generated_at", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    }

    static String line(Properties p) {
        String version = known(p.getProperty("version"));
        String commit = known(p.getProperty("commit"));
        String date = known(p.getProperty("commitDate"));
        boolean dirty = "true".equals(p.getProperty("dirty"));
        return "jetway " + (version == null ? "(version unknown)" : version)
                + (commit == null ? " (commit unknown)" : " (commit " + commit + (dirty ? "-dirty" : "")
                + (date == null ? "" : ", " + date) + ")")
                + ", Java " + Runtime.version();
    }

    private static Properties read() {
        Properties p = new Properties();
        try (InputStream in = JetwayVersion.class.getResourceAsStream("/jetway-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unknown version: said so in the line
        }
        return p;
    }

    /** A value the build filled in; null for a missing one or an unfilled placeholder. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? null : value.strip();
    }
}
