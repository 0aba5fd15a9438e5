package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ApiKeys;

/**
 * With {@code security.apiKeys}: the request's {@code Authorization: Bearer} key must be one of them (401 otherwise),
 * before its body is even parsed. The key's tenant becomes the request's fairness id ({@link IdentifyStage}), its
 * models are checked once the body names one ({@link AuthorizeStage}). Without keys configured every request passes.
 */
final class AuthenticateStage implements RequestStage {

    static final String AUTHORIZATION = "authorization";

    private final AccessControl access;

    AuthenticateStage(AccessControl access) {
        this.access = access;
    }

    @Override
    public String name() {
        return "authenticate";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (!access.authenticating()) {
            return StageResult.NEXT;
        }
        ApiKeys keys = access.apiKeys();
        if (keys == null) {
            // keys in a Secret not read yet: closed, never open
            return StageResult.reply(OpenAiError.noEndpoint("the gateway has not loaded its API keys yet"));
        }
        return switch (keys.authenticate(request.header(AUTHORIZATION))) {
            case ApiKeys.Outcome.Missing m -> StageResult.reply(OpenAiError.unauthorized("missing API key: send it as "
                    + "Authorization: Bearer <key>", "missing_api_key"));
            case ApiKeys.Outcome.Invalid i -> StageResult.reply(OpenAiError.unauthorized("incorrect API key provided",
                    "invalid_api_key"));
            case ApiKeys.Outcome.Valid v -> {
                request.caller(v.key());
                yield StageResult.NEXT;
            }
        };
    }
}
