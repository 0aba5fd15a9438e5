package dev.jetway.gateway.trace;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.scheduler.SchedulingResult;

/**
 * What one inference request records of its trace: the server span, one span per timed stage of the request path
 * while it runs, and a client span per request to a model server ({@link LegTrace}). The request path reports what it
 * learns (the model, the pool, the decision, the status) and this turns it into span attributes.
 *
 * <p>{@link #NONE} when tracing is off: every call does nothing, so the path calls it unconditionally. Confined to the
 * request's event loop, like the request.
 */
public sealed interface RequestTrace permits UntracedRequest, TracedRequest {

    RequestTrace NONE = UntracedRequest.INSTANCE;

    /** A timed stage of the path starts: its span, a child of the request's. */
    void stageStarted(String stage);

    /** The open stage span (if any) ends: the stage passed the request on, or its suspended work came back. */
    void stageEnded();

    void parsed(ParsedRequest parsed);

    void identified(String objective, int priority, String fairnessId);

    void pool(String name);

    /** Flow control let the request through after {@code nanos} in its queue. */
    void queued(long nanos);

    /** The scheduler's decision: the chosen endpoint, profile, pick and scores, on the schedule span. */
    void decided(SchedulingResult result);

    /** A request to a model server starts (one per attempt): its client span, whose context the server gets. */
    LegTrace leg(Leg leg, String address, int attempt);

    /** The status the client gets (the relayed model server's, or Envoy's report of it in endpoint-picker mode). */
    void responded(int status);

    /** The response's first byte reached the client (endpoint-picker mode; the gateway records it on the leg). */
    void firstToken();

    /** Tokens the response generated, when known. */
    void generated(long tokens);

    /** The request ends in {@code error}: answered with it, or its response cut short by it. */
    void failed(OpenAiError error);

    /** The request is over; the request span ends. Idempotent. */
    void ended(boolean clientGone);
}
