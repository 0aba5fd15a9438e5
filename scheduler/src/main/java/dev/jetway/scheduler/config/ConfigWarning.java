package dev.jetway.scheduler.config;

import java.util.Objects;

/**
 * Something an EndpointPickerConfig says in an older (or not yet supported) form: a renamed type, a moved or
 * deprecated field, a section Jetway does not act on. Never an error: the config loads, and this says how it was
 * read. {@code jetway config check} prints these as its mapping section; the gateway logs each once per load.
 *
 * @param subject where it sits: {@code apiVersion}, {@code dataLayer}, {@code plugin 'p' (prefix-cache-scorer)}...
 * @param old     the field, type or value as written, e.g. {@code hashBlockSize: 64}
 * @param release the release(s) that had it, e.g. {@code GIE v0.5-v1.0}
 * @param now     what it maps onto in Jetway now; null when it is ignored
 * @param reason  why it is ignored (when {@code now} is null: also what to use instead), or a note on the mapping
 */
public record ConfigWarning(String subject, String old, String release, String now, String reason) {

    public ConfigWarning {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(release, "release");
        if (now == null && reason == null) {
            throw new IllegalArgumentException("an ignored setting needs a reason");
        }
    }

    /** An old form Jetway honours by reading it as {@code now}. */
    public static ConfigWarning mapped(String subject, String old, String release, String now) {
        return new ConfigWarning(subject, old, release, now, null);
    }

    /** An old form Jetway honours by reading it as {@code now}, with a note on how. */
    public static ConfigWarning mapped(String subject, String old, String release, String now, String note) {
        return new ConfigWarning(subject, old, release, now, note);
    }

    /** A form Jetway accepts but does not act on; {@code reason} says why and what to use. */
    public static ConfigWarning ignored(String subject, String old, String release, String reason) {
        return new ConfigWarning(subject, old, release, null, reason);
    }

    /** True when the setting is accepted but has no effect. */
    public boolean ignored() {
        return now == null;
    }

    /** {@code old → new} or {@code old → ignored: reason}, without the subject. */
    public String mapping() {
        return old + " (" + release + ") → " + (now == null ? "ignored: " + reason
                : now + (reason == null ? "" : " (" + reason + ")"));
    }

    /** One line: subject, old form, the release that had it, and what Jetway does with it now. */
    @Override
    public String toString() {
        return subject + ": " + mapping();
    }
}
