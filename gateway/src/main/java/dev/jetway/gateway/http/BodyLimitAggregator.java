package dev.jetway.gateway.http;

import dev.jetway.gateway.audit.AuditLog;
import dev.jetway.gateway.request.ApiKind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects request bodies up to the limit; a larger one gets an OpenAI-shaped 413 and the connection closes. An
 * inference request refused here never reaches the request path, so its audit record is written here.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final int limit;
    /** The audit log, or null. */
    private final AuditLog audit;

    BodyLimitAggregator(int limit, AuditLog audit) {
        super(limit, true);
        this.limit = limit;
        this.audit = audit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // On a keep-alive connection the aggregator discards the rest of the body as it arrives (nothing is kept),
        // so a client still busy sending can read the 413 afterwards instead of failing on a reset.
        OpenAiError error = OpenAiError.tooLarge(limit);
        if (audit != null && oversized instanceof HttpRequest request) {
            String uri = request.uri();
            int q = uri.indexOf('?');
            ApiKind kind = ApiKind.ofPath(q < 0 ? uri : uri.substring(0, q));
            if (kind != null) {
                audit.refusedBeforePath(kind, request.headers(), error);
            }
        }
        Responses.error(ctx, error, HttpUtil.isKeepAlive(oversized)
                && !(oversized instanceof io.netty.handler.codec.http.FullHttpMessage));
    }
}
