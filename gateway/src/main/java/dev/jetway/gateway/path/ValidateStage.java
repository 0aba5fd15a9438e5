package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Locale;

/** An inference API takes a JSON body by POST: anything else is a 405 or 415 before the body is read. */
final class ValidateStage implements RequestStage {

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        if (!HttpMethod.POST.equals(request.http().method())) {
            return StageResult.reply(OpenAiError.methodNotAllowed(request.http().method().name(),
                    request.kind().path()));
        }
        String contentType = request.header(HttpHeaderNames.CONTENT_TYPE.toString());
        if (contentType != null) {
            String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!base.equals("application/json") && !base.endsWith("+json")) {
                return StageResult.reply(OpenAiError.unsupportedMediaType(contentType));
            }
        }
        return StageResult.NEXT;
    }
}
