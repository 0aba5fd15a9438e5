package dev.jetway.gateway.path;

/**
 * One named step of an inference request's way through the gateway ({@link RequestPath}). A stage reads what the
 * earlier stages found out from the {@link GatewayRequest}, adds its own, and says how to go on. It runs on the
 * request's event loop and must not block it: work that waits (a tokenizer call, a queue) suspends the request.
 */
public interface RequestStage {

    /** The stage's name, for logs, docs and the order of the path. */
    String name();

    StageResult apply(GatewayRequest request);
}
