package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Small builders shared by the scheduler tests. */
public final class Fixtures {

    public static final AtomicLong CLOCK = new AtomicLong(1_000_000_000L);

    private Fixtures() {
    }

    public static SchedulerEnvironment env(long seed) {
        return SchedulerEnvironment.deterministic(CLOCK::get, seed);
    }

    public static Endpoint endpoint(String id, int waiting, int running, double kv) {
        Endpoint e = new Endpoint(id, id + ":8000", Map.of());
        e.updateMetrics(EndpointMetrics.of(waiting, running, kv, CLOCK.get()));
        return e;
    }

    public static Endpoint labeled(String id, Map<String, String> labels) {
        Endpoint e = new Endpoint(id, id + ":8000", labels);
        e.updateMetrics(EndpointMetrics.of(0, 0, 0, CLOCK.get()));
        return e;
    }

    public static List<Endpoint> endpoints(int n) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(endpoint("ep" + i, 0, 0, 0.0));
        }
        return out;
    }

    public static InferenceRequest request(String prompt) {
        return InferenceRequest.builder("req").model("m").prompt(prompt).build();
    }

    public static SchedulingContext context(InferenceRequest r, List<Endpoint> endpoints) {
        return new SchedulingContext(r, endpoints, env(1));
    }

    public static SchedulingContext context(List<Endpoint> endpoints) {
        return context(request("hello"), endpoints);
    }

    /** Puts {@code n} in flight (requests and tokens) on an endpoint, as the scheduler's hooks would. */
    public static void inFlight(Endpoint e, int requests, long tokens) {
        e.addInFlight(requests, tokens);
    }

    /** As {@link #inFlight(Endpoint, int, long)}, with the requests' whole prompts ({@code contextTokens}). */
    public static void inFlight(Endpoint e, int requests, long tokens, long contextTokens) {
        e.addInFlight(requests, tokens, contextTokens, 0);
    }

    /** Requests in flight that have no first token yet (waiting or prefilling), as {@code preRequest} counts them. */
    public static void prefilling(Endpoint e, int requests, long tokens) {
        e.addInFlight(requests, tokens, tokens, requests);
    }

    public static double[] score(dev.jetway.scheduler.spi.Scorer scorer, SchedulingContext ctx) {
        Candidates c = new Candidates(ctx.endpoints());
        double[] out = new double[c.size()];
        scorer.score(ctx, c, out);
        return out;
    }

    public static List<Endpoint> filter(dev.jetway.scheduler.spi.Filter filter, SchedulingContext ctx) {
        Candidates c = new Candidates(ctx.endpoints());
        filter.filter(ctx, c);
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.get(i));
        }
        return out;
    }
}
