package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.security.ApiKey;

/**
 * The authenticated key may use the model the body names (403 otherwise). Answered before the model is looked up, so a
 * key learns nothing about models it may not use, not even whether they exist.
 */
final class AuthorizeStage implements RequestStage {

    @Override
    public String name() {
        return "authorize";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        ApiKey caller = request.caller();
        if (caller == null || caller.allows(request.parsed().model())) {
            return StageResult.NEXT;
        }
        return StageResult.reply(OpenAiError.forbidden("this API key may not use model "
                + request.parsed().model(), "model_not_allowed"));
    }
}
