package dev.jetway.gateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One keep-alive connection to a model server and the pipeline's last handler: it hands the current response to
 * its {@link UpstreamListener}. A connection serves one request at a time.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final UpstreamPool pool;
    private Channel channel;
    private UpstreamListener listener;
    private boolean responseKeepAlive;
    private boolean responseEnded = true;

    UpstreamConnection(UpstreamPool pool) {
        this.pool = pool;
    }

    public Channel channel() {
        return channel;
    }

    public UpstreamPool pool() {
        return pool;
    }

    /** Binds the next response to {@code l}. */
    public void bind(UpstreamListener l) {
        this.listener = l;
        this.responseEnded = false;
        this.responseKeepAlive = true;
    }

    /** True when the last response ended cleanly and the server allows another request on this connection. */
    boolean reusable() {
        return responseEnded && responseKeepAlive && channel.isActive();
    }

    /** Gives the connection back to its pool (or closes it when it cannot be reused). */
    public void release() {
        listener = null;
        channel.config().setAutoRead(true);
        pool.release(this);
    }

    /** Drops the connection: the only way to cancel an HTTP/1.1 request (the engine sees the disconnect and aborts). */
    public void abort() {
        listener = null;
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            // nothing asked for this: a server talking out of turn cannot be trusted with the next request
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                listener = null;
                ctx.close();
                l.onConnectionLost(new IOException("malformed upstream response: " + head.decoderResult().cause()));
                return;
            }
            responseKeepAlive = HttpUtil.isKeepAlive(head);
            l.onResponseHead(head);
            if (listener != l) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (last) {
                responseEnded = true;
            }
            l.onContent(content);
            if (last && listener == l) {
                l.onResponseEnd();
            }
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onReadBatchEnd();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.forget(this);
        UpstreamListener l = listener;
        listener = null;
        if (l != null && !responseEnded) {
            l.onConnectionLost(new IOException("upstream closed the connection"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        ctx.close();
        if (l != null && !responseEnded) {
            l.onConnectionLost(cause);
        }
    }
}
