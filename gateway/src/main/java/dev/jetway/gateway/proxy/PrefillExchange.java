package dev.jetway.gateway.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.DisaggregationSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.PdFailure;
import dev.jetway.gateway.outlier.AttemptOutcome;
import dev.jetway.gateway.metrics.PdMetrics;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.SplitLeg;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.trace.Leg;
import dev.jetway.gateway.trace.LegTrace;
import dev.jetway.gateway.upstream.UpstreamConnection;
import dev.jetway.gateway.upstream.UpstreamListener;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.plugins.filter.RoleFilter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prefill leg of a split request when the gateway drives both legs ({@code disaggregation.mode: gateway}): the
 * request goes to a prefill endpoint as a one-token, non-streamed, prefill-only request ({@link PdBodies}); the
 * {@code kv_transfer_params} it answers with become part of the decode leg's body, and the path resumes with the
 * decode leg ({@link ProxyExchange}).
 *
 * <p>Failures: a connect error, a reset, a 5xx, a timeout or an unusable answer moves to the next prefill endpoint
 * (the decision's, then any other ready prefill endpoint) up to {@code prefillRetries} times; a 4xx is the client's
 * and is answered as the engine said it. When no prefill endpoint could do it the request is served aggregated on the
 * decode endpoint if the pool allows it ({@code aggregatedFallback}), else answered with the last error. A client
 * that goes away aborts the leg (the engine sees the disconnect, aborts the request and frees its blocks). Each
 * failure is counted ({@link PdMetrics}); connect errors, resets, timeouts, 5xx and answers also go to the pool's
 * outlier detection ({@link AttemptOutcome}).
 *
 * <p>Runs on the client connection's event loop, which also owns the upstream connection.
 */
public final class PrefillExchange implements UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(PrefillExchange.class);

    private final GatewayRequest request;
    private final ChannelHandlerContext client;
    private final GatewayPool pool;
    private final SchedulingResult result;
    private final PdDecision pd;
    private final DisaggregationSettings settings;
    private final PdMetrics metrics;
    private final ObjectNode clientBody;
    private final byte[] prefillBody;
    private final List<Endpoint> tried = new ArrayList<>(2);

    private Endpoint endpoint;
    private UpstreamConnection connection;
    private boolean staleConnectionRetried;
    private boolean awaitingHead;
    private int status;
    private ByteBuf answer;
    /** The current attempt's outcome for the pool's outlier detection. */
    private AttemptOutcome outcome;
    private long sentNanos;
    private ScheduledFuture<?> timer;
    private boolean done;
    private OpenAiError lastError;
    private final String upstreamKey;
    /** The current attempt's client span (tracing). */
    private LegTrace leg = LegTrace.NONE;

    /** @param upstreamKey the pool's key for the model server's {@code Authorization}, or null */
    public PrefillExchange(GatewayRequest request, DisaggregationSettings settings, PdMetrics metrics,
                           ObjectNode clientBody, String upstreamKey) {
        this.upstreamKey = upstreamKey;
        this.request = request;
        this.client = request.ctx();
        this.pool = request.pool();
        this.result = request.decision();
        this.pd = result.pd();
        this.settings = settings;
        this.metrics = metrics;
        this.clientBody = clientBody;
        this.prefillBody = PdBodies.prefillBody(clientBody);
    }

    /** Sends the prefill leg to the decision's prefill endpoint. */
    public void start() {
        request.onClientGone(this::clientGone);
        tryNext();
    }

    /** The decision's prefill endpoints first, then any other ready prefill endpoint not tried yet. */
    private Endpoint nextTarget() {
        Endpoint decode = result.primaryEndpoint();
        for (Endpoint e : pd.prefillTargets()) {
            if (!tried.contains(e) && !e.equals(decode)) {
                return e;
            }
        }
        for (Endpoint e : pool.readyCandidates()) {
            if (!tried.contains(e) && !e.equals(decode) && RoleFilter.canPrefill(e)) {
                return e;
            }
        }
        return null;
    }

    private void tryNext() {
        if (done) {
            return;
        }
        Endpoint next = tried.size() > settings.prefillRetries() ? null : nextTarget();
        if (next == null) {
            giveUp();
            return;
        }
        endpoint = next;
        tried.add(next);
        send();
    }

    private void send() {
        GatewayEndpoint target = pool.endpoint(endpoint);
        if (target == null) {
            fail(PdFailure.CONNECT, OpenAiError.internal("scheduler picked an unknown prefill endpoint " + endpoint));
            return;
        }
        outcome = AttemptOutcome.at(target);
        pool.scheduler().preRequestPrefill(result, endpoint);
        request.flowCharged();
        leg.end();
        leg = request.trace().leg(Leg.PREFILL, endpoint.address(), tried.size());
        if (request.audit() != null) {
            request.audit().attempt(endpoint.address()); // a prefill failure is an upstream failure, not a refusal
        }
        Future<UpstreamConnection> acquired = target.pools().forLoop(client.channel().eventLoop()).acquire();
        if (acquired.isDone()) {
            onAcquired(acquired);
        } else {
            acquired.addListener(f -> onAcquired(acquired));
        }
    }

    private void onAcquired(Future<UpstreamConnection> acquired) {
        if (done) {
            if (acquired.isSuccess()) {
                acquired.getNow().release();
            }
            return;
        }
        if (!acquired.isSuccess()) {
            failed(PdFailure.CONNECT, OpenAiError.badGateway("cannot connect to prefill endpoint "
                    + endpoint.address() + ": " + ConnectFailure.describe(acquired.cause())));
            return;
        }
        UpstreamConnection c = acquired.getNow();
        connection = c;
        c.bind(this);
        awaitingHead = true;
        status = 0;
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, request.http().uri());
        UpstreamHeaders.copy(request, head.headers(), upstreamKey);
        leg.inject(head.headers());
        head.headers().set(HttpHeaderNames.HOST, endpoint.address());
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, prefillBody.length);
        head.headers().remove(HttpHeaderNames.ACCEPT_ENCODING); // the answer is parsed here
        c.channel().write(head);
        c.channel().writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(prefillBody)))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess() && connection == c) {
                        onConnectionLost(f.cause());
                    }
                });
        sentNanos = System.nanoTime();
        armTimer();
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        if (done) {
            return;
        }
        awaitingHead = false;
        status = head.status().code();
        outcome.head(status);
        leg.responded(status);
        answer = client.alloc().heapBuffer(512);
    }

    @Override
    public void onContent(HttpContent content) {
        try {
            if (done || answer == null) {
                return;
            }
            if (answer.readableBytes() + content.content().readableBytes() > settings.maxPrefillResponseBytes()) {
                dropConnection();
                failed(PdFailure.TOO_LARGE, OpenAiError.badGateway("prefill endpoint " + endpoint.address()
                        + " answered more than " + settings.maxPrefillResponseBytes() + " bytes"));
                return;
            }
            answer.writeBytes(content.content());
        } finally {
            content.release();
        }
    }

    @Override
    public void onReadBatchEnd() {
    }

    @Override
    public void onResponseEnd() {
        if (done || answer == null) {
            return;
        }
        UpstreamConnection c = connection;
        connection = null;
        c.release();
        cancelTimer();
        byte[] body = new byte[answer.readableBytes()];
        answer.readBytes(body);
        answer.release();
        answer = null;
        outcome.answered(); // a 5xx was counted at its head
        if (status >= 500) {
            failed(PdFailure.STATUS_5XX, OpenAiError.badGateway("prefill endpoint " + endpoint.address()
                    + " answered " + status));
            return;
        }
        if (status >= 400) {
            // the request itself is refused (too long for the model, bad parameters): no other endpoint would differ
            pool.scheduler().onPrefillComplete(result, endpoint, false);
            metrics.failed(PdFailure.STATUS_4XX);
            finishWith(OpenAiError.fromUpstream(status, body, "prefill endpoint " + endpoint.address() + ": "));
            return;
        }
        PdBodies.PrefillAnswer prefill;
        try {
            prefill = PdBodies.prefillAnswer(body);
        } catch (PdBodies.BadPrefillAnswer e) {
            failed(PdFailure.BAD_KV_TRANSFER_PARAMS, OpenAiError.badGateway("prefill endpoint " + endpoint.address()
                    + ": " + e.getMessage()));
            return;
        }
        done = true;
        leg.end();
        metrics.prefillLeg(System.nanoTime() - sentNanos);
        pool.scheduler().onPrefillComplete(result, endpoint, true);
        request.upstreamBody(PdBodies.decodeBody(clientBody, prefill.kvTransferParams()));
        request.split(new SplitLeg(endpoint, prefill.cachedTokens(), false));
        request.resume();
    }

    @Override
    public void onConnectionLost(Throwable cause) {
        if (done) {
            return;
        }
        UpstreamConnection lost = connection;
        connection = null;
        releaseAnswer();
        if (awaitingHead && lost != null && lost.reused() && !staleConnectionRetried) {
            // a kept-alive connection the server had just closed (uvicorn's 5 s keep-alive): the request never
            // reached it, so the same endpoint gets it again on a fresh connection, once
            staleConnectionRetried = true;
            cancelTimer();
            pool.scheduler().onPrefillComplete(result, endpoint, false);
            send();
            return;
        }
        failed(PdFailure.RESET, OpenAiError.badGateway("prefill endpoint " + endpoint.address()
                + " closed the connection before answering"));
    }

    /** A failure this prefill endpoint is to blame for: the next one may do better. */
    private void failed(PdFailure cause, OpenAiError error) {
        if (done) {
            return;
        }
        cancelTimer();
        releaseAnswer();
        leg.failed(error);
        metrics.failed(cause);
        if (outcome != null && (cause == PdFailure.CONNECT || cause == PdFailure.RESET || cause == PdFailure.TIMEOUT)) {
            outcome.failed("prefill leg: " + cause.label());
        }
        pool.scheduler().onPrefillComplete(result, endpoint, false);
        log.debug("{}: prefill leg on {} failed: {}", request.inference().requestId(), endpoint, error.message());
        lastError = error;
        tryNext();
    }

    /** No prefill endpoint could do it: aggregated on the decode endpoint if allowed, else the last error. */
    private void giveUp() {
        if (pd.aggregatedFallback()) {
            done = true;
            metrics.aggregatedFallback();
            pool.scheduler().fallBackToAggregated(result);
            log.warn("{}: no prefill endpoint could prefill the request ({}); serving it aggregated on {}",
                    request.inference().requestId(), lastError == null ? "none eligible" : lastError.message(),
                    result.primaryEndpoint());
            request.resume();
            return;
        }
        finishWith(lastError != null ? lastError : OpenAiError.noEndpoint("no prefill endpoint of pool "
                + pool.name() + " is ready"));
    }

    private void fail(PdFailure cause, OpenAiError error) {
        metrics.failed(cause);
        finishWith(error);
    }

    private void finishWith(OpenAiError error) {
        done = true;
        leg.end();
        cancelTimer();
        releaseAnswer();
        request.replyLocally(error);
    }

    private void clientGone() {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        dropConnection();
        releaseAnswer();
        leg.end();
        metrics.failed(PdFailure.CLIENT_CANCELLED);
        if (endpoint != null) {
            pool.scheduler().onPrefillComplete(result, endpoint, false);
        }
        request.end(false);
    }

    private void armTimer() {
        cancelTimer();
        timer = client.executor().schedule(this::timedOut, settings.prefillTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void timedOut() {
        timer = null;
        if (done) {
            return;
        }
        dropConnection();
        failed(PdFailure.TIMEOUT, OpenAiError.gatewayTimeout("prefill endpoint " + endpoint.address()
                + " did not finish within " + settings.prefillTimeout().toMillis() + " ms"));
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void dropConnection() {
        UpstreamConnection c = connection;
        connection = null;
        if (c != null) {
            c.abort();
        }
    }

    private void releaseAnswer() {
        if (answer != null) {
            answer.release();
            answer = null;
        }
    }
}
