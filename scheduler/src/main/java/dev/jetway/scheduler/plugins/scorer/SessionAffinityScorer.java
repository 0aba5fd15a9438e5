package dev.jetway.scheduler.plugins.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.ResponseHook;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code session-affinity-scorer}: 1.0 for the endpoint that served the request's session before, 0 for the rest.
 * <ul>
 *   <li>{@code strategy: encoded_endpoint_header} (default): the client echoes header {@code x-session-token} (or
 *       {@code headerName}), which the gateway set on the previous response to base64(endpoint id) (llm-d encodes
 *       namespace/pod).</li>
 *   <li>{@code strategy: session_id} (llm-d: {@code session_id_header}): the session id comes from
 *       {@code sessionIdConfig.sources} (or {@code headerName}; default header {@code x-session-id}); the scorer
 *       remembers session → endpoint for {@code evictionTtlSeconds} (300) since last use, sweeping every
 *       {@code evictionSweepSeconds} (10) on the request path (no thread of its own).</li>
 * </ul>
 * llm-d-router's later name {@code algorithm} is read like {@code strategy}; {@code missThreshold} is accepted and
 * not acted on (a bound session keeps its endpoint until the TTL).
 */
public final class SessionAffinityScorer implements Scorer, PreRequestHook, ResponseHook {

    public static final String TYPE = "session-affinity-scorer";
    public static final String TOKEN_HEADER = "x-session-token";

    private record Binding(String endpointId, long lastUsedNanos) {
    }

    private final String name;
    private final String tokenHeader;
    private final boolean byHeaderToken;
    private final List<String> sessionHeaders;
    private final long ttlNanos;
    private final long sweepNanos;
    private final Map<String, Binding> sessions = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    public SessionAffinityScorer(String name, boolean byHeaderToken, List<String> sessionHeaders, long ttlSeconds,
                                 long sweepSeconds) {
        this(name, TOKEN_HEADER, byHeaderToken, sessionHeaders, ttlSeconds, sweepSeconds);
    }

    public SessionAffinityScorer(String name, String tokenHeader, boolean byHeaderToken, List<String> sessionHeaders,
                                 long ttlSeconds, long sweepSeconds) {
        this.name = name;
        this.tokenHeader = tokenHeader.toLowerCase(java.util.Locale.ROOT);
        this.byHeaderToken = byHeaderToken;
        this.sessionHeaders = List.copyOf(sessionHeaders);
        this.ttlNanos = TimeUnit.SECONDS.toNanos(ttlSeconds);
        this.sweepNanos = TimeUnit.SECONDS.toNanos(sweepSeconds);
    }

    public static SessionAffinityScorer create(String name, PluginParameters p) {
        List<String> strategies = List.of("encoded_endpoint_header", "session_id", "session_id_header");
        String strategy = p.has("algorithm") && !p.has("strategy")
                ? p.oneOf("algorithm", "encoded_endpoint_header", strategies)
                : p.oneOf("strategy", "encoded_endpoint_header", strategies);
        p.oneOf("algorithm", strategy, strategies);
        p.accept("profileName", "missThreshold");
        String headerName = p.string("headerName", null);
        List<String> headers = new ArrayList<>();
        long ttl = 300;
        long sweep = 10;
        JsonNode cfg = p.raw("sessionIdConfig");
        if (cfg != null && !cfg.isNull()) {
            for (JsonNode s : cfg.path("sources")) {
                String kind = s.path("type").asText("header");
                String key = s.path("name").asText(s.path("key").asText(""));
                if (!kind.equals("header") || key.isEmpty()) {
                    throw p.error("sessionIdConfig", "sources must be headers with a name (got " + s + ")");
                }
                headers.add(key.toLowerCase(java.util.Locale.ROOT));
            }
            ttl = cfg.path("evictionTtlSeconds").asLong(ttl);
            sweep = cfg.path("evictionSweepSeconds").asLong(sweep);
        }
        if (p.has("evictionTtlSeconds")) {
            ttl = Math.max(1, Math.round(p.number("evictionTtlSeconds", 300, 1e-3, Long.MAX_VALUE / 1e9)));
        }
        if (p.has("evictionSweepSeconds")) {
            sweep = Math.max(1, Math.round(p.number("evictionSweepSeconds", 10, 1e-3, Long.MAX_VALUE / 1e9)));
        }
        if (headerName != null && !headerName.isBlank() && headers.isEmpty()) {
            headers.add(headerName.toLowerCase(java.util.Locale.ROOT));
        }
        if (ttl <= 0 || sweep <= 0) {
            throw p.error("sessionIdConfig", "evictionTtlSeconds and evictionSweepSeconds must be positive");
        }
        if (headers.isEmpty()) {
            headers.add(InferenceRequest.SESSION_HEADER);
        }
        String token = headerName == null || headerName.isBlank() ? TOKEN_HEADER : headerName;
        return new SessionAffinityScorer(name, token, strategy.equals("encoded_endpoint_header"), headers, ttl, sweep);
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
        return byHeaderToken ? "strategy=encoded_endpoint_header, header=" + tokenHeader
                : "strategy=session_id, sources=" + sessionHeaders + ", evictionTtlSeconds="
                + TimeUnit.NANOSECONDS.toSeconds(ttlNanos);
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    /** The endpoint id this request's session is bound to, or null. */
    String boundEndpoint(SchedulingContext context) {
        InferenceRequest r = context.request();
        if (byHeaderToken) {
            String token = r.header(tokenHeader);
            if (token == null || token.isEmpty()) {
                return null;
            }
            try {
                return new String(Base64.getDecoder().decode(token.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException badToken) {
                return null; // a mangled token just means no affinity
            }
        }
        String session = sessionId(r);
        if (session == null) {
            return null;
        }
        Binding b = sessions.get(session);
        return b == null || context.nowNanos() - b.lastUsedNanos() > ttlNanos ? null : b.endpointId();
    }

    private String sessionId(InferenceRequest r) {
        for (String h : sessionHeaders) {
            String v = r.header(h);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return r.sessionId();
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        String bound = boundEndpoint(context);
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = bound != null && bound.equals(candidates.get(i).id()) ? 1.0 : 0.0;
        }
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        if (byHeaderToken) {
            return;
        }
        String session = sessionId(context.request());
        long now = context.nowNanos();
        if (session != null) {
            sessions.put(session, new Binding(target.id(), now));
        }
        long due = nextSweep.get();
        if (due == Long.MIN_VALUE) {
            nextSweep.compareAndSet(due, now + sweepNanos);
        } else if (now - due >= 0 && nextSweep.compareAndSet(due, now + sweepNanos)) {
            sessions.values().removeIf(b -> now - b.lastUsedNanos() > ttlNanos);
        }
    }

    @Override
    public Map<String, String> responseHeaders(SchedulingContext context, Endpoint served) {
        if (!byHeaderToken) {
            return Map.of();
        }
        return Map.of(tokenHeader, Base64.getEncoder().encodeToString(served.id().getBytes(StandardCharsets.UTF_8)));
    }

    /** Sessions remembered (session_id strategy). */
    public int sessionCount() {
        return sessions.size();
    }
}
