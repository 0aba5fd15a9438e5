package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code concurrency-detector}: saturation from this gateway's own in-flight counts, so scrapes do not matter.
 * {@code requests} mode: in-flight requests over {@code endpoints × maxConcurrency} (100); {@code tokens}: in-flight
 * tokens over {@code endpoints × maxTokenConcurrency} (1,000,000), counting each request's uncached prompt tokens until
 * it completes ({@link Endpoint#inFlightContextTokens()}); {@code hybrid}: per endpoint the larger of the two ratios,
 * averaged. llm-d's tip holds: set {@code maxConcurrency} just above the engine's effective batch size.
 *
 * <p>As a scheduling filter it keeps endpoints below {@code max × (1 + headroom)} in the mode's measure(s); like
 * llm-d's it may keep none.
 */
public final class ConcurrencyDetector implements SaturationDetector, Filter {

    public static final String TYPE = "concurrency-detector";

    public enum Mode {
        REQUESTS, TOKENS, HYBRID;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validated parameters; defaults are llm-d's. */
    public record Params(Mode mode, long maxConcurrency, long maxTokenConcurrency, double headroom) {

        public static final Params DEFAULT = new Params(Mode.REQUESTS, 100, 1_000_000, 0.0);

        public Params {
            if (maxConcurrency <= 0 || maxTokenConcurrency <= 0) {
                throw new IllegalArgumentException("maxConcurrency and maxTokenConcurrency must be positive");
            }
            if (!(headroom >= 0)) {
                throw new IllegalArgumentException("headroom must not be negative");
            }
        }
    }

    private final String name;
    private final Params params;

    public ConcurrencyDetector(String name, Params params) {
        this.name = name;
        this.params = params;
    }

    public static ConcurrencyDetector create(String name, PluginParameters p) {
        Params d = Params.DEFAULT;
        String mode = p.oneOf("concurrencyMode", "requests", List.of("requests", "tokens", "hybrid"));
        long max = p.integer("maxConcurrency", d.maxConcurrency(), 1, Long.MAX_VALUE);
        long maxTokens = p.integer("maxTokenConcurrency", d.maxTokenConcurrency(), 1, Long.MAX_VALUE);
        double headroom = p.number("headroom", d.headroom(), 0, Double.MAX_VALUE);
        return new ConcurrencyDetector(name, new Params(Mode.valueOf(mode.toUpperCase(Locale.ROOT)), max, maxTokens,
                headroom));
    }

    public Params params() {
        return params;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return String.format(Locale.ROOT, "concurrencyMode=%s, maxConcurrency=%d, maxTokenConcurrency=%d, headroom=%s",
                params.mode().wireName(), params.maxConcurrency(), params.maxTokenConcurrency(), params.headroom());
    }

    @Override
    public PoolLoad measure(List<Endpoint> endpoints, long nowNanos) {
        int n = endpoints.size();
        if (n == 0) {
            return PoolLoad.EMPTY;
        }
        double maxRequests = params.maxConcurrency();
        double maxTokens = params.maxTokenConcurrency();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get(i);
            double requests = e.inFlightRequests() / maxRequests;
            double tokens = e.inFlightContextTokens() / maxTokens;
            sum += switch (params.mode()) {
                case REQUESTS -> requests;
                case TOKENS -> tokens;
                case HYBRID -> Math.max(requests, tokens);
            };
        }
        double perRequest = params.mode() == Mode.TOKENS ? 0 : 1.0 / (n * maxRequests);
        double perToken = params.mode() == Mode.REQUESTS ? 0 : 1.0 / (n * maxTokens);
        return new PoolLoad(sum / n, perRequest, perToken, n, 0, false);
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        double requestLimit = params.maxConcurrency() * (1 + params.headroom());
        double tokenLimit = params.maxTokenConcurrency() * (1 + params.headroom());
        candidates.retainIf(e -> switch (params.mode()) {
            case REQUESTS -> e.inFlightRequests() < requestLimit;
            case TOKENS -> e.inFlightContextTokens() < tokenLimit;
            case HYBRID -> e.inFlightRequests() < requestLimit && e.inFlightContextTokens() < tokenLimit;
        });
    }
}
