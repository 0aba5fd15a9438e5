package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.http.Responses;
import dev.jetway.gateway.metrics.GatewayMetrics;
import io.netty.channel.ChannelHandlerContext;

/**
 * The one place the gateway answers an inference request itself instead of the model server (Envoy's
 * {@code sendLocalReply}): a refusal by a stage, an admission or flow-control outcome, a routing failure, an upstream
 * failure before the first response byte. The client gets the OpenAI error body with its status and, for sheds,
 * llm-d's {@code x-llm-d-request-dropped-reason}; the error is counted by model and status. An HTTP client gets it as
 * the response; in endpoint-picker mode Envoy gets it as an ext_proc {@code ImmediateResponse} with the same body and
 * headers ({@link ClientSide#sendError}).
 */
public final class LocalReply {

    private LocalReply() {
    }

    public static void send(ChannelHandlerContext ctx, OpenAiError error, boolean keepAlive, GatewayMetrics metrics,
                            String model) {
        metrics.requestError(model, Integer.toString(error.status()));
        if (ctx.channel().isActive()) {
            Responses.error(ctx, error, keepAlive);
        }
    }

    public static void send(ClientSide client, OpenAiError error, GatewayMetrics metrics, String model) {
        metrics.requestError(model, Integer.toString(error.status()));
        client.sendError(error);
    }
}
