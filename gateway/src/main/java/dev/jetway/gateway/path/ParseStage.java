package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.request.BadRequestException;
import dev.jetway.gateway.request.RequestParser;

/** Reads what routing needs from the body (model, prompt, stream, limits), leaving the bytes as they are. */
final class ParseStage implements RequestStage {

    private final RequestParser parser;

    ParseStage(RequestParser parser) {
        this.parser = parser;
    }

    @Override
    public String name() {
        return "parse";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        try {
            request.parsed(parser.parse(request.kind(), request.http().content()));
            return StageResult.NEXT;
        } catch (BadRequestException e) {
            return StageResult.reply(OpenAiError.badRequest(e.getMessage(), e.param()));
        }
    }
}
