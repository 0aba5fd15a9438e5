package dev.jetway.sim.http;

import dev.jetway.engine.Completion;
import dev.jetway.engine.KvTransfer;
import dev.jetway.engine.RequestObserver;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.TimingListener;
import dev.jetway.sim.loop.Admission;
import dev.jetway.sim.openai.ApiError;
import dev.jetway.sim.openai.ApiKind;
import dev.jetway.sim.openai.GenerationRequest;
import dev.jetway.sim.openai.ResponseJson;
import dev.jetway.sim.openai.TextChunkEncoder;
import dev.jetway.sim.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One generation request between the engine thread and the client's connection. The engine thread records
 * progress (token count, completion) and schedules a drain on the channel's event loop; the drain writes whatever
 * is new, so a burst of steps becomes one write and the engine thread never touches the socket.
 */
final class GenerationSession implements RequestObserver, Admission {

    private static final Logger log = LoggerFactory.getLogger(GenerationSession.class);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final ReplicaServices services;
    private final GenerationRequest request;
    private final ResponseJson.ResponseHead head;
    private final long arrivalNanos;
    private final boolean keepAlive;
    private final int textOffset;
    private final Runnable onResponseComplete;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    // Engine thread only.
    private long lastTokenNanos = -1;
    private int generated;
    // Written by the engine thread, read by the drain: the token count is written before the completion.
    private volatile int tokensAvailable;
    private volatile Completion completion;
    // Event loop only.
    private int sent;
    private boolean roleSent;
    private boolean headersSent;
    private boolean done;
    private TextChunkEncoder chunks;

    GenerationSession(ChannelHandlerContext ctx, ReplicaServices services, GenerationRequest request,
                      ResponseJson.ResponseHead head, long arrivalNanos, boolean keepAlive,
                      Runnable onResponseComplete) {
        this.ctx = ctx;
        this.services = services;
        this.request = request;
        this.head = head;
        this.arrivalNanos = arrivalNanos;
        this.keepAlive = keepAlive;
        this.onResponseComplete = onResponseComplete;
        // Same prompt, same answer: lets multi-turn workloads hit the cache with the previous turn's output.
        this.textOffset = Math.floorMod(java.util.Arrays.hashCode(request.promptTokens()), FillerText.WORDS.size());
    }

    String id() {
        return head.id();
    }

    /** Like vLLM, a stream's headers go out as soon as the engine has taken the request. */
    @Override
    public void accepted() {
        if (request.stream()) {
            ctx.executor().execute(this::sendStreamHeaders);
        }
    }

    @Override
    public void rejected(RuntimeException reason) {
        ctx.executor().execute(() -> {
            if (done) {
                return;
            }
            done = true;
            if (headersSent) {
                ctx.close();
                return;
            }
            Responses.error(ctx, services.json(), ApiError.badRequest(reason.getMessage(), null), keepAlive);
            onResponseComplete.run();
        });
    }

    private void sendStreamHeaders() {
        if (headersSent || done) {
            return;
        }
        headersSent = true;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        HttpUtil.setTransferEncodingChunked(response, true);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response, ctx.voidPromise());
    }

    /** The client went away: stop the engine work at once. */
    void cancel() {
        if (!done) {
            done = true;
            services.loop().abort(head.id());
        }
    }

    // ---- engine thread -------------------------------------------------------------------------------------

    @Override
    public void onScheduled(long timeNanos, long queuedNanos, int cachedPromptTokens) {
        services.metrics().recordQueueTime(queuedNanos);
    }

    @Override
    public void onTokens(int count, long timeNanos) {
        if (lastTokenNanos < 0) {
            if (request.kvTransfer() instanceof KvTransfer.DecodeAfterRemotePrefill decode) {
                services.kvTransfers().transferred(decode.params());
            }
            services.metrics().recordFirstToken(timeNanos - arrivalNanos);
            TimingListener timing = services.timing().get();
            if (timing != null) {
                timing.onFirstToken(head.id(), arrivalNanos, timeNanos);
            }
        } else {
            services.metrics().recordInterToken(timeNanos - lastTokenNanos);
        }
        lastTokenNanos = timeNanos;
        generated += count;
        tokensAvailable = generated;
        scheduleDrain();
    }

    @Override
    public void onFinished(Completion finished) {
        services.metrics().recordFinished(finished.reason(), Math.max(0, finished.timeNanos() - arrivalNanos));
        completion = finished;
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            services.drains().add(ctx.executor(), this::drain);
        }
    }

    // ---- event loop ----------------------------------------------------------------------------------------

    private void drain() {
        drainScheduled.set(false);
        if (done) {
            return;
        }
        Completion finished = completion;
        int available = tokensAvailable;
        try {
            if (finished != null && finished.reason() == Completion.FinishReason.ABORT) {
                // Aborted without the client leaving (the replica was reset): end the exchange visibly.
                done = true;
                ctx.close();
            } else if (request.stream()) {
                sendStreamHeaders();
                drainStream(finished, finished != null ? finished.completionTokens() : available);
            } else if (finished != null) {
                respondInFull(finished);
            }
        } catch (RuntimeException e) {
            log.warn("response {} failed; closing its connection", head.id(), e);
            done = true;
            services.loop().abort(head.id());
            ctx.close();
        }
    }

    private void drainStream(Completion finished, int total) {
        int stallAt = services.stallAfterTokens();
        boolean stalled = stallAt >= 0 && total > stallAt;
        int limit = stalled ? stallAt : total;
        boolean last = finished != null && !stalled;
        if (limit <= sent && !last) {
            if (finished != null) {
                done = true; // stalled for good: the connection stays open until the client closes it
            }
            return;
        }
        ByteBuf buf = ctx.alloc().buffer(256);
        ByteBufOutputStream out = new ByteBufOutputStream(buf);
        try {
            if (head.kind() == ApiKind.CHAT && !roleSent) {
                roleSent = true;
                event(out, () -> services.json().writeRoleChunk(out, head));
            }
            if (limit > sent || last) {
                if (chunks == null) {
                    chunks = new TextChunkEncoder(head);
                }
                chunks.writeTextEvent(buf, textOffset + sent, limit - sent, last ? finished.reason().wire() : null);
                sent = limit;
            }
            if (last) {
                if (request.includeUsage()) {
                    event(out, () -> services.json().writeUsageChunk(out, head, usage(finished)));
                }
                out.write(DONE);
            }
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        // Void promises: nothing waits for these writes, and a failed write closes the connection through
        // exceptionCaught; a promise per chunk (and the HTTP encoder's combiner behind it) was pure garbage.
        if (last) {
            done = true;
            ctx.write(new DefaultHttpContent(buf), ctx.voidPromise());
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
            onResponseComplete.run();
        } else {
            ctx.writeAndFlush(new DefaultHttpContent(buf), ctx.voidPromise());
            if (stalled && finished != null) {
                done = true;
            }
        }
    }

    private static void event(ByteBufOutputStream out, Runnable writeJson) throws IOException {
        out.write(DATA);
        writeJson.run();
        out.write(EVENT_END);
    }

    private void respondInFull(Completion finished) {
        done = true;
        String text = FillerText.sequence(finished.completionTokens(), textOffset);
        KvTransfer.RemotePrefillParams params = withAddress(finished.remotePrefill());
        Responses.json(ctx, HttpResponseStatus.OK, keepAlive, out -> services.json().writeFullResponse(out, head,
                text, finished.reason().wire(), usage(finished), params));
        onResponseComplete.run();
    }

    private static Usage usage(Completion finished) {
        return new Usage(finished.promptTokens(), finished.completionTokens(), finished.cachedPromptTokens());
    }

    /** Fills in where the decode engine finds this replica when the engine left it open. */
    private KvTransfer.RemotePrefillParams withAddress(KvTransfer.RemotePrefillParams params) {
        if (params == null || (params.remoteHost() != null && params.remotePort() != 0)) {
            return params;
        }
        return new KvTransfer.RemotePrefillParams(params.remoteEngineId(), params.remoteRequestId(),
                params.remoteBlockIds(), params.remoteHost() != null ? params.remoteHost() : services.advertiseHost(),
                params.remotePort() != 0 ? params.remotePort() : services.httpPort(), params.tpSize());
    }
}
