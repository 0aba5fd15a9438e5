package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.ProfileDecision;
import dev.jetway.scheduler.SchedulingResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * A traced request: its server span (HTTP server semantic conventions: only 5xx, or a response cut short, is an
 * error), the open stage span, and its legs. A request the sampler dropped still has a (non-recording) span whose
 * context the model servers get, flagged unsampled, so the trace id goes on; it records nothing and opens no stage
 * spans.
 */
final class TracedRequest implements RequestTrace {

    private final Tracer tracer;
    private final Span server;
    private final Context context;
    private final boolean recording;
    private final String route;
    private Span stage;
    private int status;
    private boolean ended;

    TracedRequest(Tracer tracer, Span server, String route) {
        this.tracer = tracer;
        this.server = server;
        this.context = Context.root().with(server);
        this.recording = server.isRecording();
        this.route = route;
    }

    /** The request's span (tests, logs). */
    Span span() {
        return server;
    }

    @Override
    public void stageStarted(String name) {
        if (!recording) {
            return;
        }
        stageEnded();
        stage = tracer.spanBuilder(name).setParent(context).setSpanKind(SpanKind.INTERNAL).startSpan();
    }

    @Override
    public void stageEnded() {
        if (stage != null) {
            stage.end();
            stage = null;
        }
    }

    @Override
    public void parsed(ParsedRequest parsed) {
        if (!recording) {
            return;
        }
        server.setAttribute(TraceAttributes.GEN_AI_REQUEST_MODEL, parsed.model());
        server.setAttribute(TraceAttributes.STREAM, parsed.stream());
        if (parsed.maxTokens() >= 0) {
            server.setAttribute(TraceAttributes.GEN_AI_REQUEST_MAX_TOKENS, parsed.maxTokens());
        }
    }

    @Override
    public void identified(String objective, int priority, String fairnessId) {
        if (!recording) {
            return;
        }
        if (objective != null) {
            server.setAttribute(TraceAttributes.OBJECTIVE, objective);
        }
        server.setAttribute(TraceAttributes.PRIORITY, priority);
        server.setAttribute(TraceAttributes.FAIRNESS_ID, fairnessId);
    }

    @Override
    public void pool(String name) {
        if (recording) {
            server.setAttribute(TraceAttributes.POOL, name);
        }
    }

    @Override
    public void queued(long nanos) {
        if (recording) {
            current().setAttribute(TraceAttributes.QUEUE_SECONDS, nanos / 1e9);
        }
    }

    @Override
    public void decided(SchedulingResult result) {
        if (!recording) {
            return;
        }
        Span span = current();
        server.setAttribute(TraceAttributes.REQUEST_ID, result.request().requestId());
        long promptTokens = result.context().promptTokenCount();
        if (promptTokens > 0) {
            server.setAttribute(TraceAttributes.GEN_AI_INPUT_TOKENS, promptTokens);
        }
        Endpoint primary = result.primaryEndpoint();
        if (primary != null) {
            server.setAttribute(TraceAttributes.ENDPOINT, primary.address());
            span.setAttribute(TraceAttributes.ENDPOINT, primary.address());
        }
        List<Endpoint> targets = result.targets();
        List<String> addresses = new ArrayList<>(targets.size());
        for (Endpoint e : targets) {
            addresses.add(e.address());
        }
        span.setAttribute(TraceAttributes.TARGETS, addresses);
        span.setAttribute(TraceAttributes.CANDIDATES, result.decision().candidates().size());
        String profileName = result.primaryProfile();
        if (profileName != null) {
            span.setAttribute(TraceAttributes.PROFILE, profileName);
            ProfileDecision profile = result.decision().profile(profileName);
            if (profile != null) {
                if (profile.picker() != null) {
                    span.setAttribute(TraceAttributes.PICKER, profile.picker());
                }
                if (profile.reason() != null) {
                    span.setAttribute(TraceAttributes.PICK_REASON, profile.reason());
                }
                if (primary != null && profile.scoredEndpoints().contains(primary)) {
                    span.setAttribute(TraceAttributes.SCORE, profile.total(primary));
                }
            }
        }
        span.setAttribute(TraceAttributes.DECISION, result.decision().toCompactString());
        PdDecision pd = result.pd();
        if (pd != null) {
            span.setAttribute(TraceAttributes.PD_DECISION, pd.kind().label());
            if (pd.disaggregate() && pd.prefillEndpoint() != null) {
                span.setAttribute(TraceAttributes.PREFILL_ENDPOINT, pd.prefillEndpoint().address());
            }
        }
    }

    /** The open stage's span, else the request's. */
    private Span current() {
        return stage != null ? stage : server;
    }

    @Override
    public LegTrace leg(Leg leg, String address, int attempt) {
        Span span = tracer.spanBuilder("POST " + route).setParent(context).setSpanKind(SpanKind.CLIENT).startSpan();
        if (span.isRecording()) {
            span.setAttribute(TraceAttributes.HTTP_REQUEST_METHOD, "POST");
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            span.setAttribute(TraceAttributes.SERVER_ADDRESS, host);
            if (colon >= 0) {
                try {
                    span.setAttribute(TraceAttributes.SERVER_PORT, Long.parseLong(address.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // an address without a numeric port: server.address alone
                }
            }
            span.setAttribute(TraceAttributes.LEG, leg.label());
            if (attempt > 1) {
                span.setAttribute(TraceAttributes.HTTP_REQUEST_RESEND_COUNT, attempt - 1);
            }
        }
        return new TracedLeg(span);
    }

    @Override
    public void responded(int status) {
        this.status = status;
    }

    @Override
    public void firstToken() {
        if (recording && !ended) {
            server.addEvent(TraceAttributes.FIRST_TOKEN_EVENT);
        }
    }

    @Override
    public void generated(long tokens) {
        if (recording && tokens >= 0) {
            server.setAttribute(TraceAttributes.GEN_AI_OUTPUT_TOKENS, tokens);
        }
    }

    @Override
    public void failed(OpenAiError error) {
        if (ended) {
            return;
        }
        String type = recording ? errorType(error) : null;
        if (stage != null) {
            // the stage that answered (or whose wait ended in the error)
            stage.setAttribute(TraceAttributes.ERROR_TYPE, type);
            stage.setStatus(StatusCode.ERROR, error.message());
            stageEnded();
        }
        boolean started = status > 0;
        if (!started) {
            status = error.status();
        }
        if (!recording) {
            return;
        }
        if (error.dropReason() != null) {
            server.setAttribute(TraceAttributes.DROPPED_REASON, error.dropReason());
        }
        if (started || error.status() >= 500) {
            server.setAttribute(TraceAttributes.ERROR_TYPE, type);
            server.setStatus(StatusCode.ERROR, error.message());
        }
    }

    @Override
    public void ended(boolean clientGone) {
        if (ended) {
            return;
        }
        ended = true;
        stageEnded();
        if (recording) {
            if (status > 0) {
                server.setAttribute(TraceAttributes.HTTP_RESPONSE_STATUS_CODE, status);
                if (status >= 500) {
                    server.setStatus(StatusCode.ERROR);
                }
            }
            if (clientGone) {
                server.setAttribute(TraceAttributes.CLIENT_GONE, true);
            }
        }
        server.end();
    }

    /** {@code error.type}: the shed reason, else the error's code, else its status. */
    static String errorType(OpenAiError error) {
        if (error.dropReason() != null) {
            return error.dropReason();
        }
        return error.code() != null ? error.code() : Integer.toString(error.status());
    }
}
