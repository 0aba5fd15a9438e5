package dev.jetway.gateway.discovery;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs a discovery problem once when it appears (or changes) and once when it clears. Discovery re-derives its view
 * on every change in the cluster; without this, a missing ConfigMap would be logged at every pod event.
 */
public final class ProblemLog {

    private final Logger log;
    private final Map<String, String> open = new HashMap<>();

    public ProblemLog(Logger log) {
        this.log = log;
    }

    /** Records the state of {@code subject}: {@code problem} null = fine. Logged as an error. */
    public void report(String subject, String problem) {
        record(subject, problem, true);
    }

    /** As {@link #report}, for something that works but not as the operator may expect; logged as a warning. */
    public void notice(String subject, String text) {
        record(subject, text, false);
    }

    private synchronized void record(String subject, String problem, boolean error) {
        String before = problem == null ? open.remove(subject) : open.put(subject, problem);
        if (problem != null && !problem.equals(before)) {
            if (error) {
                log.error("{}: {}", subject, problem);
            } else {
                log.warn("{}: {}", subject, problem);
            }
        } else if (problem == null && before != null) {
            log.info("{}: fixed ({})", subject, before);
        }
    }
}
