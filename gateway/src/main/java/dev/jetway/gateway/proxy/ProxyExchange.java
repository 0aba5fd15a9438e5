package dev.jetway.gateway.proxy;

import dev.jetway.gateway.audit.RequestAudit;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.gateway.path.LocalReply;
import dev.jetway.gateway.path.SplitLeg;
import dev.jetway.gateway.path.Scheduling;
import dev.jetway.gateway.metrics.ClientRefusal;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.metrics.MigrationOutcome;
import dev.jetway.gateway.metrics.UpstreamErrorKind;
import dev.jetway.gateway.outlier.AttemptOutcome;
import dev.jetway.gateway.outlier.OutlierDetector;
import dev.jetway.gateway.outlier.RetryBudget;
import dev.jetway.gateway.proxy.migration.StreamMigration;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.tokenize.RemoteTokenizer;
import dev.jetway.gateway.trace.Leg;
import dev.jetway.gateway.trace.LegTrace;
import dev.jetway.gateway.upstream.PoolExhaustedException;
import dev.jetway.gateway.upstream.UpstreamConnection;
import dev.jetway.gateway.upstream.UpstreamListener;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.latency.LatencyPredictions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a request's path (docs/operations.md, "The request path"), once it is parsed, admitted and
 * scheduled: run the scheduler's pre-request hooks and connect to the chosen endpoint (the next one of the ordered
 * list, or of a fresh decision, on a connect error or 5xx before the first byte), relay the response as it arrives
 * with backpressure, enforce timeouts, and run the response hooks: first token and completion (with the tokens
 * generated, read from the relayed bytes by an {@link OutputTokenCounter}) reported to the scheduler exactly once. An
 * admitter's rejection of a failover decision is answered with its status and dropped reason, never retried.
 * Each attempt's outcome (5xx, connect error, reset, timeout, answer, a stream's pace) goes to the pool's outlier
 * detection through an {@link AttemptOutcome}; an attempt waits for its first byte only as long as its
 * {@link FirstByteDeadline} says, and the response head is held back until the first body byte, so a model server
 * that sends its head and then nothing (a hung engine) is retried elsewhere like one that sends nothing. Retries
 * are bounded per request ({@code maxRetries}) and per pool ({@link RetryBudget}).
 *
 * <p>A stream whose model server fails after the client had its first bytes (connection lost, or silent past the
 * idle timeout) is continued on another endpoint when its pool allows it (request migration, docs/operations.md): a
 * {@link StreamMigration} sees every byte of the stream on its way to the client, says what the next leg asks for,
 * and rewrites that leg's events into the same stream; this class runs the legs, each a fresh scheduling decision
 * without the endpoints that failed this request.
 *
 * <p>Everything runs on the client connection's event loop, which also owns the upstream connection.
 */
public final class ProxyExchange implements UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    public static final String ENDPOINT_HEADER = "x-jetway-endpoint";
    public static final String DECISION_HEADER = "x-jetway-decision";

    private enum Phase { CONNECTING, AWAITING_HEAD, RELAYING, DONE }

    private final GatewayRequest request;
    private final ChannelHandlerContext client;
    private final FullHttpRequest http;
    private final ParsedRequest parsed;
    /** The scheduler's view of what the current leg asks for (a continuation's has the remaining max tokens). */
    private InferenceRequest inference;
    private final GatewayPool pool;
    private final GatewayMetrics metrics;
    private final GatewayMetrics.ModelMeters modelMeters;
    private final UpstreamSettings settings;
    private final boolean keepAlive;
    private final boolean debugHeader;
    private final boolean endpointHeader;
    private final String upstreamKey;
    private final long startNanos;
    private final long writeStallNanos;

    private SchedulingResult result;
    private final List<Endpoint> tried = new ArrayList<>(2);
    private int targetIndex;
    private int attempts;
    private boolean staleConnectionRetried;
    private Endpoint endpoint;
    private GatewayEndpoint gatewayEndpoint;
    private UpstreamConnection connection;
    private Phase phase = Phase.CONNECTING;
    private boolean sse;
    private boolean bodyStarted;
    /** Reads the generated tokens from a successful response as it is relayed; null until then. */
    private OutputTokenCounter outputTokens;
    private int upstreamStatus;
    /** This attempt's outcome for outlier detection, and how long it may wait for its first byte. */
    private AttemptOutcome outcome;
    private FirstByteDeadline deadline;
    /** The response head, held until the first body byte (or the end): until then the request can still move. */
    private HttpResponse pendingHead;
    /** The client has the response head: whatever happens now, it can only get the rest of a stream or an error event. */
    private boolean headSent;
    /** The current leg has sent response bytes. */
    private boolean legStarted;
    /** Continues the stream on another endpoint if its model server fails mid-response; null when it cannot. */
    private StreamMigration migration;
    /** The body of the current continuation leg, or null for the client's request. */
    private ByteBuf legBody;
    /** Why the last attempt failed, when the next finds no endpoint left. */
    private OpenAiError lastError;
    /** The pool's retry budget, holding a place while this request is being retried; null until then. */
    private RetryBudget retrying;
    private long sentNanos;
    private long lastActivityNanos;
    /** When the client stopped taking the response (its connection turned unwritable), or 0 while it takes it. */
    private long stalledSinceNanos;
    /** The body ends when the connection closes: an HTTP/1.0 client cannot read chunked encoding. */
    private boolean closeDelimited;
    private ScheduledFuture<?> timer;
    private long timerDueNanos;
    /** The prefill half of a split request (decode leg here), or null. */
    private final SplitLeg split;
    /** Rewrites cached_tokens in the decode leg's answer to the prefill endpoint's figure; null when not split. */
    private CachedTokensRewriter cachedTokens;
    private boolean sidecarPrefillCharged;
    /** What the audit log records of the request, or null. */
    private final RequestAudit audit;
    /** The current attempt's client span (tracing). */
    private LegTrace leg = LegTrace.NONE;

    /**
     * The exchange for a request the path has parsed, identified, admitted and scheduled.
     *
     * @param debugHeader    add the decision record ({@code x-jetway-decision}) to the response
     * @param endpointHeader name the endpoint in {@code x-jetway-endpoint}
     * @param upstreamKey    the pool's key for the model server's {@code Authorization}, or null
     */
    public ProxyExchange(GatewayRequest request, GatewayMetrics metrics, UpstreamSettings settings,
                         boolean debugHeader, boolean endpointHeader, String upstreamKey,
                         java.time.Duration writeStallTimeout) {
        this.request = request;
        this.client = request.ctx();
        this.http = request.http();
        this.parsed = request.parsed();
        this.inference = request.inference();
        this.pool = request.pool();
        this.metrics = metrics;
        this.modelMeters = metrics.model(parsed.model());
        this.settings = settings;
        this.keepAlive = request.keepAlive();
        this.debugHeader = debugHeader;
        this.endpointHeader = endpointHeader;
        this.upstreamKey = upstreamKey;
        this.startNanos = request.startNanos();
        this.writeStallNanos = writeStallTimeout.toNanos();
        this.result = request.decision();
        this.split = request.split();
        this.audit = request.audit();
    }

    /** Sends the request to the first endpoint of the scheduler's decision. */
    public void start() {
        modelMeters.received(request.bodyBytes());
        tryNext();
    }

    /** A fresh decision among the endpoints not tried yet, after the previous decision's are all used up. */
    private boolean reschedule(List<Endpoint> candidates) {
        switch (Scheduling.schedule(pool, inference, candidates, metrics)) {
            case Scheduling.Refused refused -> {
                fail(refused.error());
                return false;
            }
            case Scheduling.Decided decided -> {
                if (endpoint != null) {
                    // release what the previous decision charged before the new one charges again
                    pool.scheduler().onComplete(result, endpoint, false);
                }
                result = decided.result();
                targetIndex = 0;
                if (continuing()) {
                    pool.scheduler().continuation(result);
                }
                return true;
            }
        }
    }

    /** Next endpoint of the ordered list, or of a fresh decision without the endpoints already tried. */
    private void tryNext() {
        if (phase == Phase.DONE) {
            return;
        }
        List<Endpoint> targets = result.targets();
        while (targetIndex < targets.size() && tried.contains(targets.get(targetIndex))) {
            targetIndex++;
        }
        if (targetIndex >= targets.size()) {
            List<Endpoint> rest = new ArrayList<>(pool.readyCandidates());
            rest.removeAll(tried);
            if (rest.isEmpty()) {
                // a timeout stays a timeout (504); other failures become "nobody could take it"
                fail(lastError != null && lastError.status() == 504 ? lastError
                        : OpenAiError.badGateway("no endpoint could take the request (tried " + tried + ")"));
                return;
            }
            if (!reschedule(rest)) {
                return;
            }
            targets = result.targets();
        }
        endpoint = targets.get(targetIndex++);
        tried.add(endpoint);
        attempts++;
        leg.end();
        leg = request.trace().leg(split == null ? Leg.MAIN : Leg.DECODE, endpoint.address(), attempts);
        if (audit != null) {
            audit.attempt(endpoint.address());
        }
        gatewayEndpoint = pool.endpoint(endpoint);
        if (gatewayEndpoint == null) {
            // a scheduler returned something that is not a member of this pool: a bug, never route blindly
            fail(OpenAiError.internal("scheduler picked an unknown endpoint " + endpoint));
            return;
        }
        outcome = AttemptOutcome.at(gatewayEndpoint);
        deadline = FirstByteDeadline.of(settings, result, endpoint, inference, split != null);
        pool.scheduler().preRequest(result, endpoint);
        if (split != null && split.sidecar() && !sidecarPrefillCharged && legBody == null) {
            // the decode pod's sidecar runs the prefill leg: counted on the prefill endpoint until the first token
            sidecarPrefillCharged = true;
            pool.scheduler().preRequestPrefill(result, split.prefill());
        }
        request.flowCharged();
        phase = Phase.CONNECTING;
        Future<UpstreamConnection> acquired = gatewayEndpoint.pools().forLoop(client.channel().eventLoop()).acquire();
        if (acquired.isDone()) {
            onAcquired(acquired);
        } else {
            acquired.addListener(f -> onAcquired(acquired));
        }
    }

    private void onAcquired(Future<UpstreamConnection> acquired) {
        if (!acquired.isSuccess()) {
            if (phase == Phase.DONE) {
                return;
            }
            UpstreamErrorKind kind = acquired.cause() instanceof PoolExhaustedException
                    ? UpstreamErrorKind.POOL_EXHAUSTED : UpstreamErrorKind.CONNECT;
            metrics.upstreamError(kind);
            if (kind == UpstreamErrorKind.CONNECT) {
                outcome.failed("connect error: " + acquired.cause().getMessage());
            }
            log.debug("{}: cannot reach {}: {}", inference.requestId(), endpoint, acquired.cause().toString());
            OpenAiError error = OpenAiError.badGateway("cannot connect to " + endpoint.address() + ": "
                    + ConnectFailure.describe(acquired.cause()));
            retryOrFail(error, kind == UpstreamErrorKind.CONNECT); // our own pool being full is not "unsent"
            return;
        }
        UpstreamConnection c = acquired.getNow();
        if (phase == Phase.DONE) {
            c.release();
            return;
        }
        connection = c;
        c.bind(this);
        phase = Phase.AWAITING_HEAD;
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, http.uri());
        UpstreamHeaders.copy(request, head.headers(), upstreamKey);
        leg.inject(head.headers());
        head.headers().set(HttpHeaderNames.HOST, endpoint.address());
        ByteBuf body = legBody != null ? legBody : request.upstreamBody();
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (split != null && split.sidecar() && legBody == null) {
            head.headers().set(SplitLeg.PREFILLER_HEADER, split.prefill().address());
        }
        c.channel().write(head);
        c.channel().writeAndFlush(new DefaultLastHttpContent(body.retainedDuplicate()))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess() && connection == c && phase == Phase.AWAITING_HEAD) {
                        onConnectionLost(f.cause());
                    }
                });
        sentNanos = System.nanoTime();
        armTimer(deadline.nanos());
    }

    private void retryOrFail(OpenAiError error) {
        retryOrFail(error, false);
    }

    /**
     * {@code unsent}: the request never reached the endpoint (its connection could not be made). Such a retry adds
     * no work to any replica, so it does not take a place in the retry budget: the budget guards replicas against
     * retries multiplying an overload, and a replica that just died, which the scheduler still sees as the idlest,
     * would otherwise turn the requests routed to it before it leaves rotation into 502s.
     */
    private void retryOrFail(OpenAiError error, boolean unsent) {
        leg.failed(error);
        lastError = error;
        if (continuing()) {
            metrics.migration(MigrationOutcome.LEG_FAILED);
            migrateOrFail(error); // a continuation leg failed before it streamed: the migration's limit decides
            return;
        }
        if (attempts <= settings.maxRetries() && client.channel().isActive() && (unsent || mayRetry())) {
            metrics.retry();
            long base = settings.retryBackoff().toNanos();
            long delay = base / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, base));
            client.executor().schedule(this::tryNext, delay, TimeUnit.NANOSECONDS);
        } else {
            fail(error);
        }
    }

    /** The pool's retry budget has room (a request being retried keeps its one place until it ends). */
    private boolean mayRetry() {
        if (retrying != null) {
            return true;
        }
        RetryBudget budget = RetryBudget.of(gatewayEndpoint);
        if (!budget.tryAcquire(settings, pool.endpoints())) {
            log.debug("{}: not retried: the retry budget of pool {} is spent", inference.requestId(), pool.name());
            return false;
        }
        retrying = budget;
        return true;
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        if (phase != Phase.AWAITING_HEAD) {
            return;
        }
        upstreamStatus = head.status().code();
        outcome.head(upstreamStatus);
        leg.responded(upstreamStatus);
        if (continuing()) {
            continuationHead(head);
            return;
        }
        if (upstreamStatus >= 500 && attempts <= settings.maxRetries() && client.channel().isActive() && mayRetry()) {
            metrics.upstreamError(UpstreamErrorKind.STATUS_5XX);
            log.debug("{}: {} answered {}, trying another endpoint", inference.requestId(), endpoint, upstreamStatus);
            dropConnection();
            cancelTimer();
            phase = Phase.CONNECTING;
            retryOrFail(OpenAiError.badGateway(endpoint.address() + " answered " + upstreamStatus));
            return;
        }
        phase = Phase.RELAYING;
        lastActivityNanos = System.nanoTime();
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, head.status());
        HopByHop.copyEndToEnd(head.headers(), out.headers());
        if (HttpUtil.isContentLengthSet(head)) {
            out.headers().set(HttpHeaderNames.CONTENT_LENGTH, head.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        } else {
            frameUnknownLength(out);
        }
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        sse = contentType != null && contentType.startsWith("text/event-stream");
        if (endpointHeader) {
            out.headers().set(ENDPOINT_HEADER, endpoint.address());
        }
        if (split != null) {
            if (endpointHeader) {
                out.headers().set(SplitLeg.PREFILL_ENDPOINT_HEADER, split.prefill().address());
            }
            if (split.cachedTokens() >= 0 && upstreamStatus < 400) {
                cachedTokens = new CachedTokensRewriter(split.cachedTokens());
                if (HttpUtil.isContentLengthSet(out)) {
                    // the rewritten body may differ in length
                    out.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                    frameUnknownLength(out);
                }
            }
        }
        if (debugHeader) {
            String excluded = OutlierDetector.excluded(pool.endpoints());
            out.headers().set(DECISION_HEADER, result.decision().toCompactString() + " | " + deadline.describe()
                    + (excluded.isEmpty() ? "" : " | excluded: " + excluded));
        }
        for (Map.Entry<String, String> h : pool.scheduler().responseHeaders(result, endpoint).entrySet()) {
            out.headers().set(h.getKey(), h.getValue());
        }
        HttpUtil.setKeepAlive(out, keepAlive && !closeDelimited);
        pendingHead = out;
        if (upstreamStatus < 400) {
            outputTokens = sse ? OutputTokenCounter.forEventStream() : OutputTokenCounter.forJsonBody();
        }
    }

    /** The first body byte (or the end) is here: the held head goes to the client, and the request stays here. */
    private void commitHead() {
        HttpResponse out = pendingHead;
        pendingHead = null;
        headSent = true;
        request.trace().responded(upstreamStatus);
        client.write(out);
        if (audit != null) {
            audit.responseHead(upstreamStatus, sse);
        }
        if (upstreamStatus >= 400) {
            metrics.requestError(parsed.model(), Integer.toString(upstreamStatus));
        } else {
            recordPredictions();
            int limit = pool.config().migrationLimit();
            if (sse && parsed.stream() && limit > 0) {
                migration = new StreamMigration(parsed.kind(), limit, countingTokenizer());
            }
        }
    }

    /** The pool's tokenizer if it runs in-process (the text already streamed is counted on the event loop). */
    private Tokenizer countingTokenizer() {
        return pool.tokenizer() instanceof RemoteTokenizer ? null : pool.tokenizer();
    }

    /**
     * The head of a continuation leg: the client has its head already, so it is not sent again. A 5xx or a body that
     * is not an event stream fails the leg (the migration tries elsewhere if its limit allows); a 4xx means the model
     * server will not continue this request anywhere: the stream ends with an error event.
     */
    private void continuationHead(HttpResponse head) {
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean eventStream = contentType != null && contentType.startsWith("text/event-stream");
        if (upstreamStatus >= 400 || !eventStream) {
            dropConnection();
            cancelTimer();
            phase = Phase.CONNECTING;
            OpenAiError error = OpenAiError.badGateway(endpoint.address() + " answered the continuation of the "
                    + "stream with " + upstreamStatus + (eventStream || upstreamStatus >= 400 ? "" : " " + contentType));
            if (upstreamStatus >= 400 && upstreamStatus < 500) {
                metrics.migration(MigrationOutcome.REJECTED);
                failMidStream(error);
            } else {
                if (upstreamStatus >= 500) {
                    metrics.upstreamError(UpstreamErrorKind.STATUS_5XX);
                }
                retryOrFail(error);
            }
            return;
        }
        phase = Phase.RELAYING;
        lastActivityNanos = System.nanoTime();
        outputTokens = OutputTokenCounter.forEventStream();
    }

    /** The current leg continues a stream another endpoint started. */
    private boolean continuing() {
        return migration != null && migration.migrations() > 0;
    }

    /**
     * A body of unknown length goes chunked, except to an HTTP/1.0 client, which cannot read chunks: it gets the bare
     * body, ended by closing the connection ({@code Connection: close}).
     */
    private void frameUnknownLength(HttpResponse out) {
        if (HttpVersion.HTTP_1_0.equals(http.protocolVersion())) {
            closeDelimited = true;
            HttpUtil.setTransferEncodingChunked(out, false);
        } else {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
    }

    /** Forgets a response whose head came but no body: the request moves to another endpoint. */
    private void forgetResponse() {
        pendingHead = null;
        outputTokens = null;
        cachedTokens = null;
        upstreamStatus = 0;
        if (!headSent) {
            // the client's response is still open; a stream being continued elsewhere keeps its own
            sse = false;
            closeDelimited = false;
        }
    }

    /** What the latency model predicted for the endpoint that answers (pools with a predicted-latency producer). */
    private void recordPredictions() {
        LatencyPredictions predictions = result.context().get(LatencyPredictions.DEFAULT_KEY);
        if (predictions != null) {
            int slot = result.context().endpoints().indexOf(endpoint);
            if (slot >= 0) {
                modelMeters.predicted(predictions.ttft(slot), predictions.tpot(slot));
            }
        }
    }

    @Override
    public void onContent(HttpContent content) {
        if (phase != Phase.RELAYING) {
            content.release();
            return;
        }
        if (pendingHead != null) {
            if (!content.content().isReadable() && !(content instanceof LastHttpContent)) {
                content.release();
                return;
            }
            outcome.answered();
            commitHead();
        }
        long now = System.nanoTime();
        lastActivityNanos = now;
        if (content.content().isReadable()) {
            outcome.bodyBytes(now);
        }
        if (!legStarted && content.content().isReadable()) {
            legStarted = true;
            if (!bodyStarted) {
                bodyStarted = true;
                // from now on silence is measured against the (usually much shorter) idle timeout
                armTimer(settings.idleTimeout().toNanos());
                modelMeters.firstToken(parsed.stream(), now - startNanos);
                if (audit != null) {
                    audit.firstByte(now - startNanos);
                }
            }
            sidecarPrefillDone(true);
            if (upstreamStatus < 400) {
                // an error body is no first token: it would teach the latency model a TTFT and mark the prompt computed
                pool.scheduler().onFirstToken(result, endpoint);
            }
            leg.firstToken();
            if (continuing()) {
                outcome.answered();
                metrics.migration(MigrationOutcome.RESUMED);
            }
        }
        if (migration != null) {
            // what the client gets: whole events, a continuation's rewritten; counted and audited as such
            content = throughMigration(content);
            if (content == null) {
                return;
            }
        }
        if (outputTokens != null) {
            outputTokens.scan(content.content()); // before the write hands the buffer on
            if (sse) {
                outcome.content(outputTokens.contentChunks(), now);
            }
        }
        if (audit != null && audit.capturesResponse()) {
            audit.responseBytes(content.content());
        }
        if (cachedTokens != null) {
            ByteBuf rewritten = cachedTokens.rewrite(content.content().retain(), client.alloc());
            boolean last = content instanceof LastHttpContent;
            content.release();
            content = last ? new DefaultLastHttpContent(rewritten) : new DefaultHttpContent(rewritten);
        }
        if (content instanceof LastHttpContent) {
            client.write(content);
        } else {
            client.write(new DefaultHttpContent(content.content()));
            if (!client.channel().isWritable()) {
                // the client reads slower than the model writes: stop reading upstream until it catches up
                connection.channel().config().setAutoRead(false);
            }
        }
    }

    /**
     * The client's part of what the leg sent: whole events only, a continuation leg's rewritten; null when the leg
     * sent something no event stream holds (the leg has failed and the migration took over).
     */
    private HttpContent throughMigration(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        ByteBuf out;
        try {
            out = migration.relay(content.content(), client.alloc());
            if (last) {
                ByteBuf rest = migration.endOfLeg(client.alloc());
                out = rest.isReadable() ? Unpooled.wrappedBuffer(out, rest) : out;
                if (!rest.isReadable()) {
                    rest.release();
                }
            }
        } catch (IllegalStateException e) {
            content.release();
            outcome.failed("malformed event stream");
            log.warn("{}: {} sent a malformed event stream: {}", inference.requestId(), endpoint, e.getMessage());
            dropConnection();
            migrateOrFail(OpenAiError.badGateway(endpoint.address() + " sent a malformed event stream"));
            return null;
        }
        content.release();
        return last ? new DefaultLastHttpContent(out) : new DefaultHttpContent(out);
    }

    @Override
    public void onReadBatchEnd() {
        if (phase == Phase.RELAYING) {
            client.flush();
        }
    }

    @Override
    public void onResponseEnd() {
        if (phase != Phase.RELAYING) {
            return;
        }
        if (!legStarted && upstreamStatus < 400) {
            pool.scheduler().onFirstToken(result, endpoint);
        }
        client.flush();
        UpstreamConnection c = connection;
        connection = null;
        c.release();
        finish(upstreamStatus < 400, !closeDelimited);
    }

    @Override
    public void onConnectionLost(Throwable cause) {
        if (phase == Phase.DONE) {
            return;
        }
        UpstreamConnection lostConnection = connection;
        connection = null;
        if (phase == Phase.AWAITING_HEAD && lostConnection != null && lostConnection.reused() && !staleConnectionRetried) {
            // a kept-alive connection the server had just closed: the request never reached it, so the same
            // endpoint gets it again on a fresh connection, once, without counting as a failover
            cancelTimer();
            staleConnectionRetried = true;
            tried.remove(endpoint);
            targetIndex = Math.max(0, targetIndex - 1);
            attempts--;
            phase = Phase.CONNECTING;
            tryNext();
            return;
        }
        if (phase == Phase.AWAITING_HEAD || phase == Phase.CONNECTING || !headSent) {
            // nothing reached the client yet (a head is held until the first body byte): the request can move
            cancelTimer();
            forgetResponse();
            outcome.failed("connection reset before the response");
            metrics.upstreamError(UpstreamErrorKind.RESET_BEFORE_RESPONSE);
            log.debug("{}: {} dropped the connection before answering: {}", inference.requestId(), endpoint,
                    cause.toString());
            phase = Phase.CONNECTING;
            retryOrFail(OpenAiError.badGateway(endpoint.address() + " closed the connection before answering"));
        } else {
            outcome.failed("connection reset mid-response");
            metrics.upstreamError(UpstreamErrorKind.RESET_MID_RESPONSE);
            log.warn("{}: {} dropped the connection mid-response: {}", inference.requestId(), endpoint, cause.toString());
            migrateOrFail(OpenAiError.badGateway("the model server " + endpoint.address()
                    + " closed the connection mid-response"));
        }
    }

    /**
     * The client became writable again (or not): resume or pause reading the upstream. A client that stays
     * unwritable for {@code server.writeStallTimeout} has stopped reading: its upstream request is cancelled and its
     * connection closed (see {@link #checkTimeouts}).
     */
    public void clientWritabilityChanged(boolean writable) {
        if (phase != Phase.RELAYING) {
            return;
        }
        UpstreamConnection c = connection;
        if (c != null) {
            c.channel().config().setAutoRead(writable);
        }
        long now = System.nanoTime();
        if (writable) {
            stalledSinceNanos = 0;
            lastActivityNanos = now; // the upstream was paused by us, not silent
        } else if (stalledSinceNanos == 0) {
            stalledSinceNanos = now;
            if (timer == null || timerDueNanos - (now + writeStallNanos) > 0) {
                armTimer(writeStallNanos);
            }
        }
    }

    /**
     * Flow control stops this running sheddable request for a more important one: the upstream request is cancelled
     * (the engine aborts it) and the client gets the error, as a terminal SSE event once the stream has started.
     */
    public void evict(OpenAiError error) {
        if (phase == Phase.DONE) {
            return;
        }
        log.debug("{}: evicted by flow control ({})", inference.requestId(), error.dropReason());
        stop(error);
    }

    /**
     * Stops the request (flow control's eviction, the drain's deadline): the upstream request is cancelled and the
     * client gets {@code error}, as a complete response before the first byte or a terminal SSE event after it.
     */
    public void stop(OpenAiError error) {
        if (phase == Phase.DONE) {
            return;
        }
        dropConnection();
        fail(error);
    }

    /** The client went away: cancel the upstream request at once so the engine aborts it. */
    public void clientGone() {
        if (phase == Phase.DONE) {
            return;
        }
        metrics.clientDisconnect();
        log.debug("{}: client disconnected, cancelling upstream request on {}", inference.requestId(), endpoint);
        dropConnection();
        finish(false, false);
    }

    private void armTimer(long delayNanos) {
        cancelTimer();
        timerDueNanos = System.nanoTime() + delayNanos;
        timer = client.executor().schedule(this::checkTimeouts, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** One timer per exchange, re-armed lazily: a chunk only stamps a time, it never touches the scheduler queue. */
    private void checkTimeouts() {
        timer = null;
        long now = System.nanoTime();
        if (phase == Phase.AWAITING_HEAD || (phase == Phase.RELAYING && !headSent)) {
            long due = sentNanos + deadline.nanos();
            long cap = sentNanos + settings.firstByteTimeout().toNanos();
            if (now >= due && now - cap < 0 && outcome.endpointAnsweredSince(now - deadline.nanos())) {
                // The predicted deadline passed, but within the last deadline's length the endpoint streamed to
                // other requests: it is busy (the prediction was short, as under overload), not hung. Leaving would
                // throw away this request's place in its queue and add load elsewhere; wait on, up to
                // firstByteTimeout, and look again one deadline later.
                armTimer(Math.min(deadline.nanos(), cap - now));
                return;
            }
            if (now >= due) {
                // nothing reached the client: another endpoint may still answer in time
                metrics.upstreamError(UpstreamErrorKind.FIRST_BYTE_TIMEOUT);
                long waitedMs = (now - sentNanos) / 1_000_000;
                outcome.failed("no first byte within " + waitedMs + " ms");
                dropConnection();
                forgetResponse();
                phase = Phase.CONNECTING;
                retryOrFail(OpenAiError.gatewayTimeout(endpoint.address() + " sent no response within "
                        + waitedMs + " ms"));
            } else {
                armTimer(due - now);
            }
            return;
        }
        switch (phase) {
            case RELAYING -> {
                if (stalledSinceNanos != 0) {
                    // the client takes nothing: the upstream is paused by us, so its silence is no timeout
                    long stallDeadline = stalledSinceNanos + writeStallNanos;
                    if (now - stallDeadline >= 0) {
                        clientStalled();
                    } else {
                        armTimer(stallDeadline - now);
                    }
                    return;
                }
                long limit = bodyStarted ? settings.idleTimeout().toNanos() : deadline.nanos();
                long due = (bodyStarted ? lastActivityNanos : sentNanos) + limit;
                if (now >= due) {
                    metrics.upstreamError(UpstreamErrorKind.IDLE_TIMEOUT);
                    outcome.failed("nothing for " + limit / 1_000_000 + " ms mid-response");
                    dropConnection();
                    migrateOrFail(OpenAiError.gatewayTimeout(endpoint.address() + " sent nothing for "
                            + (limit / 1_000_000) + " ms"));
                } else {
                    armTimer(due - now);
                }
            }
            default -> {
            }
        }
    }

    /** The client has read nothing for the write-stall time: cancel upstream, close, free what it holds. */
    private void clientStalled() {
        metrics.clientRefused(ClientRefusal.WRITE_STALL);
        log.debug("{}: the client read nothing for {} ms, cancelling the request on {}", inference.requestId(),
                writeStallNanos / 1_000_000, endpoint);
        dropConnection();
        client.close();
        finish(false, false);
    }

    private void dropConnection() {
        UpstreamConnection c = connection;
        connection = null;
        if (c != null) {
            c.abort();
        }
    }

    /** Failure before any response byte went to the client: a complete error response. */
    private void fail(OpenAiError error) {
        if (phase == Phase.DONE) {
            return;
        }
        if (headSent) {
            failMidStream(error); // also between two legs of a migrated stream
            return;
        }
        pendingHead = null;
        cancelTimer();
        if (audit != null) {
            audit.error(error);
        }
        leg.failed(error);
        request.trace().failed(error);
        LocalReply.send(client, error, keepAlive, metrics, parsed.model());
        finish(false, true);
    }

    /**
     * The current leg failed after the client had the response head: the stream goes on elsewhere if the migration
     * can continue it, the gateway ends it if nothing was left to generate, and otherwise the client gets the error.
     */
    private void migrateOrFail(OpenAiError error) {
        if (phase == Phase.DONE) {
            return;
        }
        cancelTimer();
        leg.failed(error); // this leg's span ends failed; a continuation gets its own
        if (migration == null) {
            if (sse && parsed.stream() && upstreamStatus < 400 && pool.config().migrationLimit() == 0) {
                metrics.migration(MigrationOutcome.DISABLED);
                error = withDetail(error, "request migration is off for this pool (migrationLimit: 0)");
            }
            failMidStream(error);
            return;
        }
        switch (migration.next(http.content(), result.context().promptTokenCount())) {
            case StreamMigration.GiveUp giveUp -> {
                metrics.migration(giveUp.outcome());
                log.warn("{}: stream not continued: {}", inference.requestId(), giveUp.reason());
                failMidStream(withDetail(error, giveUp.reason()));
            }
            case StreamMigration.Finish finish -> {
                metrics.migration(MigrationOutcome.FINISHED);
                client.write(new DefaultLastHttpContent(finish.tail()));
                client.flush();
                finish(true, !closeDelimited);
            }
            case StreamMigration.Continue next -> continueElsewhere(next, error);
        }
    }

    /**
     * Sends the continuation to an endpoint that has not failed this request, on a fresh decision marked as a
     * continuation (its response teaches the latency model nothing), after the usual jittered retry backoff.
     */
    private void continueElsewhere(StreamMigration.Continue next, OpenAiError error) {
        List<Endpoint> rest = new ArrayList<>(pool.readyCandidates());
        rest.removeAll(tried);
        if (rest.isEmpty()) {
            metrics.migration(MigrationOutcome.NO_ENDPOINT);
            failMidStream(withDetail(error, "no other ready endpoint to continue the stream on"));
            return;
        }
        InferenceRequest continuation = new InferenceRequest(inference.requestId(), inference.model(),
                inference.targetModel(), inference.prompt(), inference.tokenIds(), inference.messages(),
                inference.stream(), next.remainingTokens(), inference.headers(), inference.priority(),
                inference.fairnessId(), inference.sessionId(), inference.loraAdapter(), inference.cacheSalt(),
                next.body().length);
        switch (Scheduling.schedule(pool, continuation, rest, metrics)) {
            case Scheduling.Refused refused -> {
                metrics.migration(MigrationOutcome.NO_ENDPOINT);
                failMidStream(withDetail(error, refused.error().message()));
                return;
            }
            case Scheduling.Decided decided -> {
                pool.scheduler().onComplete(result, endpoint, false);
                result = decided.result();
                targetIndex = 0;
            }
        }
        if (audit != null) {
            audit.migrated();
        }
        pool.scheduler().continuation(result);
        if (result.pd() != null && result.pd().disaggregate()) {
            pool.scheduler().fallBackToAggregated(result); // the continuation goes whole to the decode endpoint
        }
        inference = continuation;
        if (legBody != null) {
            legBody.release();
        }
        legBody = Unpooled.wrappedBuffer(next.body());
        forgetResponse();
        legStarted = false;
        phase = Phase.CONNECTING;
        log.info("{}: continuing the stream on another endpoint after {} tokens (migration {} of {})",
                inference.requestId(), migration.tokensSent(), migration.migrations(),
                pool.config().migrationLimit());
        long base = settings.retryBackoff().toNanos();
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, base));
        client.executor().schedule(this::tryNext, delay, TimeUnit.NANOSECONDS);
    }

    private static OpenAiError withDetail(OpenAiError error, String detail) {
        return new OpenAiError(error.status(), error.type(), error.message() + "; " + detail, error.param(),
                error.code(), error.dropReason());
    }

    /**
     * Failure after the response started: a streaming client gets a terminal SSE error event and a clean end of the
     * stream; anything else can only be cut short. Either way the client connection closes.
     */
    private void failMidStream(OpenAiError error) {
        if (phase == Phase.DONE) {
            return;
        }
        metrics.requestError(parsed.model(), Integer.toString(error.status()));
        if (audit != null) {
            audit.error(error);
        }
        leg.failed(error);
        request.trace().failed(error);
        if (client.channel().isActive()) {
            if (sse) {
                client.write(new DefaultHttpContent(Unpooled.wrappedBuffer(error.toSseEvent())));
                client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            } else {
                client.flush();
                client.close();
            }
        }
        finish(false, false);
    }

    /** In sidecar mode the prefill leg is over once the decode leg's first byte (or its end) is here. */
    private void sidecarPrefillDone(boolean success) {
        if (sidecarPrefillCharged) {
            sidecarPrefillCharged = false;
            pool.scheduler().onPrefillComplete(result, split.prefill(), success);
        }
    }

    private void finish(boolean success, boolean reuseClient) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        cancelTimer();
        if (retrying != null) {
            retrying.release();
        }
        leg.end();
        sidecarPrefillDone(false);
        if (split != null && success) {
            metrics.pd().decodeLeg(System.nanoTime() - sentNanos);
        }
        if (outcome != null && sse && outputTokens != null) {
            outcome.streamEnded(outputTokens.contentChunks(), System.nanoTime());
        }
        if (legBody != null) {
            legBody.release();
            legBody = null;
        }
        if (result != null && endpoint != null) {
            int generated = success && outputTokens != null ? outputTokens.outputTokens() : -1;
            pool.scheduler().onComplete(result, endpoint, success, generated);
            if (success && outputTokens != null && split == null && gatewayEndpoint != null
                    && (migration == null || migration.migrations() == 0)) {
                // the engine's count of the prompt the router counted: the unit of its KV capacity
                gatewayEndpoint.tokenUnits().observe(result.context().promptTokenCount(),
                        outputTokens.usagePromptTokens());
            }
            if (success && migration != null && migration.migrations() > 0) {
                generated = migration.tokensSent(); // the whole answer, every leg's tokens
            }
            if (audit != null && success && outputTokens != null) {
                audit.usage(outputTokens, generated);
            }
            request.generated(generated);
            modelMeters.tokens(result.context().promptTokenCount(), generated);
        }
        modelMeters.completed(System.nanoTime() - startNanos);
        request.end(reuseClient);
    }
}
