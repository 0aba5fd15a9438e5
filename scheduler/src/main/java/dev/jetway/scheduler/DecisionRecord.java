package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Why the scheduler chose what it chose: the candidates, and per profile what each filter removed, every scorer's
 * clamped and weighted score per endpoint, the totals and the pick.
 *
 * <p>Recording costs only the arrays the cycle computes anyway; the strings ({@link #toCompactString()} for the
 * {@code x-jetway-decision} response header, {@link #toString()} for a debug log line) are built on demand.
 */
public final class DecisionRecord {

    /** Endpoints listed per profile in the compact (header) form. */
    public static final int COMPACT_MAX_ENDPOINTS = 3;

    private final String requestId;
    private final List<Endpoint> candidates;
    private final List<ProfileDecision> profiles = new ArrayList<>(2);
    private final SchedulingContext context;
    private String pd;

    DecisionRecord(String requestId, List<Endpoint> candidates) {
        this(requestId, candidates, null);
    }

    /** A record whose text also shows what the context's {@code EndpointExplainer} attributes say per endpoint. */
    DecisionRecord(String requestId, List<Endpoint> candidates, SchedulingContext context) {
        this.requestId = requestId;
        this.candidates = candidates;
        this.context = context;
    }

    ProfileDecision startProfile(String profile) {
        ProfileDecision d = new ProfileDecision(profile, candidates, context);
        profiles.add(d);
        return d;
    }

    /** What the P/D handler decided, shown after the profiles ({@link PdDecision#describe()}). */
    void pd(String text) {
        this.pd = text;
    }

    /** The P/D decision in words, or null without a P/D handler. */
    public String pd() {
        return pd;
    }

    public String requestId() {
        return requestId;
    }

    /** The endpoints the scheduler was offered. */
    public List<Endpoint> candidates() {
        return candidates;
    }

    /** Profile decisions in the order the profiles ran. */
    public List<ProfileDecision> profiles() {
        return profiles;
    }

    /** The decision of the named profile, or null if it did not run. */
    public ProfileDecision profile(String name) {
        for (ProfileDecision p : profiles) {
            if (p.profile().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** One short ASCII line (best {@value #COMPACT_MAX_ENDPOINTS} endpoints per profile), for a response header. */
    public String toCompactString() {
        return render(COMPACT_MAX_ENDPOINTS);
    }

    /** One line with every scored endpoint, for the debug log. */
    @Override
    public String toString() {
        return "request " + requestId + " candidates=" + candidates.size() + " | " + render(Integer.MAX_VALUE);
    }

    private String render(int maxEndpoints) {
        StringBuilder sb = new StringBuilder(128);
        for (int i = 0; i < profiles.size(); i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            profiles.get(i).appendTo(sb, maxEndpoints);
        }
        if (profiles.isEmpty()) {
            sb.append("no profile ran");
        }
        if (pd != null) {
            sb.append(" | ").append(pd);
        }
        return sb.toString();
    }
}
