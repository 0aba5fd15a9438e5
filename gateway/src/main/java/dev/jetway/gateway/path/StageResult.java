package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;

/**
 * What a {@link RequestStage} decided: go on to the next stage, answer the request here, or wait (the stage has
 * taken the request over and will resume the path or answer it later, on the request's event loop).
 */
public sealed interface StageResult {

    StageResult NEXT = new Next();
    StageResult SUSPENDED = new Suspended();

    static StageResult reply(OpenAiError error) {
        return new Reply(error);
    }

    /** Go on with the next stage. */
    record Next() implements StageResult {
    }

    /** Answer the request locally with this error; no later stage runs. */
    record Reply(OpenAiError error) implements StageResult {
    }

    /** The stage holds the request: it calls {@link GatewayRequest#resume()} or {@link GatewayRequest#replyLocally}. */
    record Suspended() implements StageResult {
    }
}
