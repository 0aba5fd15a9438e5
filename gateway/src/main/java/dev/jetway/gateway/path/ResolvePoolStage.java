package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingState;

/** The pool that serves the requested model (or LoRA adapter); none is OpenAI's 404 {@code model_not_found}. */
final class ResolvePoolStage implements RequestStage {

    private final RoutingState routing;

    ResolvePoolStage(RoutingState routing) {
        this.routing = routing;
    }

    @Override
    public String name() {
        return "resolve-pool";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        GatewayPool pool = routing.table().poolFor(request.parsed().model());
        if (pool == null) {
            return StageResult.reply(OpenAiError.notFound("The model `" + request.parsed().model()
                    + "` does not exist.", "model_not_found"));
        }
        request.pool(pool);
        return StageResult.NEXT;
    }
}
