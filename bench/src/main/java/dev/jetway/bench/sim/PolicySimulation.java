package dev.jetway.bench.sim;

import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageClock;
import dev.jetway.bench.metrics.LatencyModelReport;
import dev.jetway.bench.metrics.MetricsCollector;
import dev.jetway.bench.metrics.PdTally;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.RequestTrace;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.workload.WorkloadRequest;
import dev.jetway.engine.Completion;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.KvTransfer;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.engine.VirtualClock;
import dev.jetway.engine.vllm.VllmEngine;
import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.LoraInfo;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.RequestHandling;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One policy over one request plan in virtual time: N engine replicas, the real scheduler with its lifecycle hooks,
 * metrics scraped at an interval (so the scheduler sees them as stale as a gateway would), KV events delivered after
 * a delay, and the client side of each request ({@link ClientSide}: time outside the engine, timeout, concurrency
 * cap). Single-threaded and deterministic: same plan, options and policy give the same report.
 *
 * <p>A scrape reads what the engine last published, as vLLM's gauges: its scheduler makes them at the end of every
 * step ({@code Scheduler.make_stats} in {@code update_from_output}), and a request that reaches the engine during a
 * step waits in the engine core's input queue, counted nowhere, until the next step is scheduled. Under a long
 * prefill-heavy step a scrape is therefore up to a step old and misses what arrived meanwhile. An idle engine's
 * gauges are current (Jetway's simulator publishes them after every command it applies while idle).
 *
 * <p>A request's way: due ({@link #arrive}), sent ({@link #send}), at the gateway after the path's first part
 * ({@link InFlight#route}: identified from its traffic class and handed to the {@link Admission}, the seam for flow
 * control), dispatched ({@link InFlight#dispatch}: scheduled, {@code preRequest}), at its engine after the path's
 * second part ({@code submit}), ended ({@code end}: the one place a request's outcome is recorded).
 *
 * <p>A request the policy splits (P/D: {@link PdDecision#disaggregate()}) runs two legs, as llm-d's sidecar drives
 * vLLM's NIXL connector: the prefill leg on the prefill endpoint (a prefill-only run, one token, its blocks pinned
 * for the pull), then the decode leg on the decode endpoint, whose engine waits the KV transfer instead of computing
 * the prompt. The client's TTFT is the decode leg's first token, which also tells the prefill engine its KV was
 * pulled (NIXL's notification: the pinned blocks are released). Each leg pays the path's second part (forwarding and
 * the model server's front end).
 */
final class PolicySimulation {

    /** Told how far the run is, now and then. */
    @FunctionalInterface
    interface Progress {
        void update(long virtualNanos, int finished, int total);
    }

    private final RequestPlan plan;
    private final SimulationOptions options;
    private final SimPolicy policy;
    private final VirtualClock clock = new VirtualClock(0);
    private final EventQueue events = new EventQueue(clock);
    private final List<Replica> replicas = new ArrayList<>();
    /** The gateway replicas; one unless {@link Gateways#several()}. */
    private final List<SimGateway> gateways = new ArrayList<>();
    /** With several gateways: a single gateway told of every request, whose picks the gateways' are compared with. */
    private SimGateway shadow;
    /** Every gateway's (and the shadow's) endpoint objects: each gateway has its own for replica i. */
    private final Map<Endpoint, Integer> replicaOf = new HashMap<>();
    private final MetricsCollector collector;
    private final PdTally pdTally;
    /** Active-active measurements, or null in a plain run. */
    private final AgreementTally tally;
    private final GatewaySpreader spreader;
    private Admission admission;
    /**
     * The policy's {@code requestHandler.propagatePriority}: requests carry their priority into the engines, which
     * then run vLLM's priority scheduling (as {@code jetway up} starts them).
     */
    private boolean propagatesPriority;
    private final StageClock stageClock;
    /** The next request's stage waits for the current one to drain. */
    private boolean arrivalsBlocked;
    private int nextArrival;
    /** Requests sent and not yet ended: what the concurrency cap limits. */
    private int sent;
    /** Requests due while the cap was reached, in order, with their planned send times. */
    private final ArrayDeque<Runnable> heldBack = new ArrayDeque<>();
    private boolean releasing;
    /**
     * Requests in flight in send order, which is deadline order (one timeout for all): one queued event watches the
     * head, instead of one event per request that would sit in the event queue for the whole timeout.
     */
    private final ArrayDeque<InFlight> byDeadline = new ArrayDeque<>();
    private boolean deadlineWatched;
    private int finished;
    /** When the last request was due (its arrival), for the steady-state window of the latency model's error. */
    private long lastArrivalNanos;
    /** The latency model the first gateway's predictions come from, or null when its policy has none. */
    private LatencyModel latencyModel;
    /** That model's errors in steady state. */
    private final SteadyStateErrors steadyErrors = new SteadyStateErrors();

    private final PromptTokens promptTokens;
    /**
     * Bursts of KV events waiting for delivery, in emission order (the delay is constant, so also in delivery order):
     * one entry per replica step, not per event, since a step stores and evicts hundreds of blocks.
     */
    private final ArrayDeque<PendingKvEvents> kvEvents = new ArrayDeque<>();

    private record PendingKvEvents(long deliverAt, int replica, KvEvent[] events) {
    }

    PolicySimulation(RequestPlan plan, SimulationOptions options, SimPolicy policy, PromptTokens promptTokens) {
        this(plan, options, policy, promptTokens, null);
    }

    /** With {@code tally}: the run also measures how its gateways' decisions compare with a single gateway's. */
    PolicySimulation(RequestPlan plan, SimulationOptions options, SimPolicy policy, PromptTokens promptTokens,
                     AgreementTally tally) {
        this.tally = tally;
        this.spreader = new GatewaySpreader(options.gateways(), options.seed());
        this.promptTokens = promptTokens;
        this.plan = plan;
        this.options = options;
        this.policy = policy;
        this.collector = new MetricsCollector(plan.stages(), options.slo(), plan.transition().drain(),
                plan.classes());
        this.stageClock = new StageClock(plan);
        this.pdTally = new PdTally(plan.stages());
    }

    PolicyReport run(Progress progress) {
        Gateways fleet = options.gateways();
        for (int g = 0; g < fleet.count(); g++) {
            gateways.add(newGateway(g));
        }
        if (fleet.several()) {
            shadow = newGateway(fleet.count());
        }
        for (PredictedLatencyProducer p : gateways.getFirst().scheduler().plugins(PredictedLatencyProducer.class)) {
            latencyModel = p.model();
            latencyModel.addSampleSink(steadyErrors);
            break; // the first model is the one the policy's predictions come from
        }
        admission = options.admission().create(new Context());
        propagatesPriority = gateways.getFirst().scheduler().requestHandling().propagatePriority();
        if (fleet.several() && admission != Admission.OPEN) {
            throw new IllegalArgumentException("--gateways: policy '" + policy.name() + "' runs flow control, "
                    + "which is per gateway replica and not simulated with several gateways yet");
        }
        for (int i = 0; i < options.replicas(); i++) {
            replicas.add(new Replica(i));
        }
        if (fleet.killAtNanos() >= 0) {
            events.at(fleet.killAtNanos(), () -> gateways.getLast().kill());
        }
        PeerExchange exchange = fleet.exchange();
        if (exchange != null) {
            for (SimGateway g : gateways) {
                events.at(exchange.periodNanos() * (g.index() + 1) / fleet.count(), () -> syncTick(g, exchange));
            }
        }
        for (Replica r : replicas) {
            r.scrape(); // the gateway starts with one snapshot of each replica
            long phase = options.scrapeIntervalNanos() * r.index / options.replicas();
            events.at(phase + options.scrapeIntervalNanos(), r::scrapeTick);
        }
        scheduleNextArrival();
        int total = plan.requests().size();
        long nextReport = 0;
        while (events.step()) {
            if (events.processed() >= nextReport) {
                progress.update(clock.nanos(), finished, total);
                nextReport = events.processed() + 20_000;
            }
        }
        progress.update(clock.nanos(), finished, total);
        PolicyReport report = collector.report(policy.name(), options.cost(), stageClock.starts(), stageClock.ends());
        if (latencyModel != null) {
            report = report.withLatencyModel(LatencyModelReport.of(latencyModel.errors())
                    .withSteady(steadyErrors.report(lastArrivalNanos)));
        }
        if (options.cluster().disaggregated() || pdTally.any()) {
            report = PoolReports.attach(report, options.cluster(), pdTally.any() ? pdTally.summary() : null);
        }
        if (tally != null) {
            report = report.withGateways(tally.report(fleet));
        }
        return report;
    }

    /**
     * Gateway {@code g}: its own endpoint objects (in-flight counters are per gateway) and a scheduler built from the
     * policy as every gateway's is, with its own seed (gateway 0 has the run's, as the single gateway always had).
     */
    private SimGateway newGateway(int g) {
        List<Endpoint> own = new ArrayList<>();
        for (int i = 0; i < options.replicas(); i++) {
            Endpoint endpoint = new Endpoint("replica-" + i, "10.0." + (i / 250) + "." + (i % 250 + 1) + ":8000",
                    Map.of(Endpoint.ROLE_LABEL, options.cluster().role(i).label()));
            own.add(endpoint);
            replicaOf.put(endpoint, i);
        }
        SchedulerEnvironment env = SchedulerEnvironment.deterministic(clock::nanos, options.seed() + g)
                .withTokenizer(SimpleWordTokenizer.instance());
        boolean exchanges = g < options.gateways().count() && options.gateways().exchange() != null;
        return new SimGateway(g, policy.factory().create(env, List.copyOf(own), options), List.copyOf(own),
                exchanges);
    }

    /** Gateway {@code g}'s digest goes out now and reaches each live peer after the exchange's delay. */
    private void syncTick(SimGateway g, PeerExchange exchange) {
        if (!g.alive()) {
            return;
        }
        var digest = g.exportDigest();
        for (SimGateway peer : gateways) {
            if (peer != g) {
                events.at(clock.nanos() + exchange.delayNanos(), () -> peer.importDigest(digest, clock.nanos()));
            }
        }
        // the gateway's own timer also forgets silent peers, as the live sync does after peerTimeout
        g.expirePeers(clock.nanos(), exchange.peerTimeoutNanos());
        if (workLeft()) {
            events.at(clock.nanos() + exchange.periodNanos(), () -> syncTick(g, exchange));
        }
    }

    private boolean workLeft() {
        return nextArrival < plan.requests().size() || sent > 0 || !heldBack.isEmpty();
    }

    /** The simulation as an {@link Admission} sees it. */
    private final class Context implements AdmissionContext {
        @Override
        public long nanos() {
            return clock.nanos();
        }

        @Override
        public void at(long nanos, Runnable task) {
            events.at(Math.max(nanos, clock.nanos()), task);
        }

        @Override
        public List<Endpoint> endpoints() {
            return gateways.getFirst().endpoints();
        }

        @Override
        public dev.jetway.scheduler.Scheduler scheduler() {
            return gateways.getFirst().scheduler();
        }

        @Override
        public boolean workLeft() {
            return PolicySimulation.this.workLeft();
        }
    }

    private void scheduleNextArrival() {
        if (nextArrival < plan.requests().size()) {
            PlannedRequest p = plan.requests().get(nextArrival);
            long sendAt = stageClock.sendAt(p);
            arrivalsBlocked = sendAt < 0;
            if (!arrivalsBlocked) {
                nextArrival++;
                events.at(sendAt, () -> arrive(p, sendAt));
            }
        }
    }

    /** A request of {@code stage} ended (any way): the stage may have drained, letting the next one start. */
    private void requestEnded(int stage) {
        sent--;
        finished++;
        if (!releasing) {
            // A loop, not recursion: a released request that fails at once ends inside next.run().
            releasing = true;
            Runnable next;
            while (sent < options.client().maxConcurrency() && (next = heldBack.pollFirst()) != null) {
                next.run();
            }
            releasing = false;
        }
        if (stageClock.ended(stage, clock.nanos()) && arrivalsBlocked) {
            scheduleNextArrival();
        }
    }

    /** The request is due: latencies count from here; it is sent now, or once the concurrency cap lets it. */
    private void arrive(PlannedRequest planned, long sendAt) {
        lastArrivalNanos = clock.nanos();
        scheduleNextArrival();
        RequestTrace trace = collector.start(planned.request().index(), planned.stage(), sendAt,
                planned.trafficClass());
        int cap = options.client().maxConcurrency();
        if (cap > 0 && sent >= cap) {
            heldBack.addLast(() -> send(planned, trace));
        } else {
            send(planned, trace);
        }
    }

    /** The client sends; the request is in flight until it ends, and times out counting from now. */
    private void send(PlannedRequest planned, RequestTrace trace) {
        sent++;
        long now = clock.nanos();
        InFlight flight = new InFlight(planned, trace, now + options.client().timeoutNanos());
        byDeadline.addLast(flight);
        watchDeadlines();
        long beforeRouting = options.client().path().beforeRoutingNanos();
        if (beforeRouting == 0) {
            flight.route();
        } else {
            events.at(now + beforeRouting, flight::route);
        }
    }

    /** Drops ended requests off the head and makes sure an event is due at the first deadline still running. */
    private void watchDeadlines() {
        while (!byDeadline.isEmpty() && byDeadline.peekFirst().ended) {
            byDeadline.pollFirst();
        }
        if (!deadlineWatched && !byDeadline.isEmpty()) {
            deadlineWatched = true;
            events.at(byDeadline.peekFirst().deadlineNanos, this::expireDeadlines);
        }
    }

    /** The watch event: times out every request past its deadline (deadlineWatched stays set while sends nest). */
    private void expireDeadlines() {
        long now = clock.nanos();
        InFlight head;
        while ((head = byDeadline.peekFirst()) != null && (head.ended || head.deadlineNanos <= now)) {
            byDeadline.pollFirst();
            head.timeout();
        }
        deadlineWatched = false;
        watchDeadlines();
    }

    /**
     * One request from the client's send to its end, and what the engine tells about it on the way; at the gateway's
     * admit stage, the {@link AdmissionTicket} the {@link Admission} decides on.
     */
    private final class InFlight implements RequestObserver, AdmissionTicket {
        private final PlannedRequest planned;
        private final RequestTrace trace;
        private final long deadlineNanos;
        private InferenceRequest request;
        private long arrivedNanos = -1;
        private boolean dispatched;
        /** The gateway replica that routes the request (and hears how it goes while it lives). */
        private SimGateway gw;
        private SchedulingResult result;
        /** With several gateways: the shadow's decision for the request and the endpoint it was told of. */
        private SchedulingResult shadowResult;
        private Endpoint shadowTarget;
        private long decidedNanos = -1;
        /** The endpoint that serves the request: with P/D, the decode endpoint. */
        private Endpoint target;
        /** The engine running the request's current leg; -1 while none does. */
        private int replica = -1;
        /** A split request's prefill endpoint and engine; null and -1 otherwise. */
        private Endpoint prefillTarget;
        private int prefillReplica = -1;
        /** Whether the scheduler heard the prefill leg end, and the decode leg (or the whole request) begin. */
        private boolean prefillOver;
        private boolean decodeStarted;
        /** What the prefill leg handed over: set once it answered. */
        private KvTransfer.RemotePrefillParams remotePrefill;
        /** The prefill leg's cached prompt tokens: what the client reads (llm-d's sidecar rewrites the decode's). */
        private int prefillCachedTokens;
        private long prefillSentNanos;
        private long prefillDoneNanos;
        private long decodeSentNanos;
        private int[] tokens;
        private boolean ended;
        private boolean timedOut;
        /** Set when the admission evicts the running request: the status and reason it fails with. */
        private int evictedStatus;
        private String evictedReason;

        InFlight(PlannedRequest planned, RequestTrace trace, long deadlineNanos) {
            this.planned = planned;
            this.trace = trace;
            this.deadlineNanos = deadlineNanos;
        }

        /**
         * The request reaches the gateway: identified (its traffic class's headers, priority and fairness id), then
         * the admit stage decides when it is scheduled, or answers it.
         */
        void route() {
            if (ended) {
                return;
            }
            WorkloadRequest w = planned.request();
            tokens = promptTokens.of(w.prompt());
            InferenceRequest.Builder builder = InferenceRequest.builder(w.id()).model(options.model())
                    .tokenIds(tokens).stream(true).maxTokens(w.maxTokens()).sessionId(w.sessionId())
                    .bodySizeBytes(tokens.length * 7L);
            TrafficClass c = planned.trafficClass();
            if (c != null) {
                // What the gateway's identify stage derives from the headers; the priority is the one the class
                // states for its objective (the gateway's admission.objectives).
                builder.headers(c.headers()).priority(c.priority()).fairnessId(c.tenant());
            }
            request = builder.build();
            arrivedNanos = clock.nanos();
            gw = spreader.pick(gateways);
            admission.arrived(this);
        }

        @Override
        public InferenceRequest request() {
            return request;
        }

        @Override
        public long arrivedNanos() {
            return arrivedNanos;
        }

        @Override
        public boolean waiting() {
            return !dispatched && !ended;
        }

        /** The gateway picks a replica; the request reaches its engine after the rest of the path. */
        @Override
        public boolean dispatch() {
            if (!waiting()) {
                return false;
            }
            dispatched = true;
            result = gw.scheduler().schedule(request, gw.endpoints());
            target = result.primaryEndpoint();
            if (tally != null) {
                decidedNanos = clock.nanos();
                shadowDecide();
            }
            PdDecision pd = result.pd();
            if (pd != null) {
                pdTally.decided(planned.stage(), pd.kind().label(),
                        pd.kind() == PdDecision.Kind.NO_PREFILL_ENDPOINT && pd.aggregatedFallback(), pd.blocked());
            }
            if (target == null) {
                end(false, pd != null && pd.blocked() ? "no prefill endpoint (503)" : "no endpoint available (503)",
                        clock.nanos(), tokens.length, 0, 0, 503, null);
                return false;
            }
            if (pd != null && pd.disaggregate()) {
                prefillTarget = pd.prefillEndpoint();
                gw.scheduler().preRequestPrefill(result, prefillTarget);
            } else {
                gw.scheduler().preRequest(result, target);
                decodeStarted = true;
            }
            admission.scheduled(this);
            if (ended) {
                return true; // the admission evicted it on the spot
            }
            long afterRouting = options.client().path().afterRoutingNanos();
            if (afterRouting == 0) {
                submit();
            } else {
                events.at(clock.nanos() + afterRouting, this::submit);
            }
            return true;
        }

        /**
         * What a single gateway would have done here: the shadow decides on the same request at the same moment
         * (compared with the gateway's pick), and is then told where the request really went, as it would have been
         * had it sent it there.
         */
        private void shadowDecide() {
            int replica = target == null ? -1 : replicaOf.get(target);
            if (shadow == null) {
                tally.decided(planned.request().index(), decidedNanos, replica, -1, false);
                return;
            }
            shadowResult = shadow.scheduler().schedule(request, shadow.endpoints());
            Endpoint pick = shadowResult.primaryEndpoint();
            tally.decided(planned.request().index(), decidedNanos, replica, pick == null ? -1 : replicaOf.get(pick),
                    true);
            if (replica >= 0) {
                shadowTarget = shadow.endpoints().get(replica);
                shadow.scheduler().preRequest(shadowResult, shadowTarget);
            }
        }

        /** The gateway answers the request itself (flow control's 429 or 503), as a live benchmark would see it. */
        @Override
        public boolean reject(int httpStatus, String droppedReason) {
            if (!waiting()) {
                return false;
            }
            end(false, "HTTP " + httpStatus + ": " + droppedReason, clock.nanos(), tokens.length, 0, 0, httpStatus,
                    droppedReason);
            return true;
        }

        @Override
        public void evict(int httpStatus, String droppedReason) {
            if (!dispatched || ended) {
                return;
            }
            evictedStatus = httpStatus;
            evictedReason = droppedReason;
            if (replica >= 0) {
                replicas.get(replica).engine.abort(planned.request().id()); // reports back through onFinished
            } else {
                end(false, evictedError(), clock.nanos(), tokens.length, 0, 0, httpStatus, droppedReason);
            }
        }

        private String evictedError() {
            return "HTTP " + evictedStatus + ": " + evictedReason;
        }

        private void submit() {
            if (ended) {
                return;
            }
            WorkloadRequest w = planned.request();
            if (prefillTarget != null && remotePrefill == null) {
                // The prefill leg, as llm-d's sidecar sends it: max_tokens 1, the prompt's blocks kept for the pull.
                prefillReplica = replicaOf.get(prefillTarget);
                prefillSentNanos = clock.nanos();
                submitTo(prefillReplica, new EngineRequest(w.id(), tokens, 1, 0, true, null, null,
                        new KvTransfer.PrefillForRemoteDecode(), enginePriority(prefillTarget)), new PrefillLeg());
                return;
            }
            KvTransfer kv = remotePrefill == null ? KvTransfer.NONE
                    : new KvTransfer.DecodeAfterRemotePrefill(remotePrefill);
            decodeSentNanos = clock.nanos();
            submitTo(replicaOf.get(target), new EngineRequest(w.id(), tokens, w.maxTokens(),
                    options.ignoreEos() ? 0 : Math.min(1, w.maxTokens()), options.ignoreEos(), null, null, kv,
                    enginePriority(target)), this);
        }

        /**
         * The body's {@code priority} the gateway writes with {@code requestHandler.propagatePriority} (the
         * objective's priority in the engine's convention), 0 without it.
         */
        private int enginePriority(Endpoint endpoint) {
            return propagatesPriority ? RequestHandling.enginePriority(request.priority(), endpoint) : 0;
        }

        private void submitTo(int index, EngineRequest engineRequest, RequestObserver observer) {
            replica = index;
            Replica r = replicas.get(index);
            if (r.stepping) {
                r.arrivedDuringStep++;
            }
            try {
                r.engine.submit(engineRequest, observer);
            } catch (IllegalArgumentException e) {
                // What vLLM answers with 400: counted as a failed request, the run goes on.
                // The first sentence names the reason; the rest has per-request numbers that would split the count.
                String reason = String.valueOf(e.getMessage()).split("\\. ", 2)[0];
                end(false, "rejected by engine (400): " + reason, clock.nanos(), tokens.length, 0, 0, 400, null);
                return;
            }
            r.kick();
        }

        /**
         * The prefill leg answered: on success the scheduler hears it, the decode leg begins and goes to the decode
         * engine after the path's second part (the decode pod's model server); an aborted leg (timeout, eviction)
         * ends the request.
         */
        private void prefillFinished(Completion c) {
            collector.legServed(prefillReplica, c.promptTokens(), c.cachedPromptTokens());
            replica = -1;
            if (c.reason() != Completion.FinishReason.REMOTE_DECODE) {
                boolean evicted = !timedOut && evictedReason != null;
                end(false, timedOut ? "timeout" : evicted ? evictedError() : "aborted", c.timeNanos(),
                        c.promptTokens(), 0, 0, evicted ? evictedStatus : 0, evicted ? evictedReason : null);
                return;
            }
            prefillOver = true;
            prefillDoneNanos = c.timeNanos();
            prefillCachedTokens = c.cachedPromptTokens();
            remotePrefill = c.remotePrefill();
            gw.scheduler().onPrefillComplete(result, prefillTarget, true);
            gw.scheduler().preRequest(result, target);
            decodeStarted = true;
            long afterRouting = options.client().path().afterRoutingNanos();
            if (afterRouting == 0) {
                submit();
            } else {
                events.at(clock.nanos() + afterRouting, this::submit);
            }
        }

        /** The prefill leg's engine run: its one token goes to the sidecar, not to the client. */
        private final class PrefillLeg implements RequestObserver {
            @Override
            public void onTokens(int count, long timeNanos) {
            }

            @Override
            public void onFinished(Completion completion) {
                prefillFinished(completion);
            }
        }

        /** The client gives up: the engine aborts the request (vLLM does when the client disconnects). */
        void timeout() {
            if (ended) {
                return;
            }
            timedOut = true;
            if (replica >= 0) {
                replicas.get(replica).engine.abort(planned.request().id()); // reports back through onFinished
            } else {
                end(false, "timeout", clock.nanos(), tokens == null ? 0 : tokens.length, 0, 0, 0, null);
            }
        }

        @Override
        public void onTokens(int count, long timeNanos) {
            if (trace.firstTokenNanos() < 0) {
                if (gw.alive()) {
                    gw.scheduler().onFirstToken(result, target);
                }
                if (shadowTarget != null) {
                    shadow.scheduler().onFirstToken(shadowResult, shadowTarget);
                }
                if (remotePrefill != null) {
                    // The decode engine pulled the KV before this token: NIXL tells the prefill engine, which frees
                    // the pinned blocks (they stay cached there).
                    replicas.get(prefillReplica).engine.releaseKvTransfer(remotePrefill.remoteRequestId());
                }
            }
            collector.tokens(trace, count, timeNanos);
        }

        @Override
        public void onFinished(Completion completion) {
            boolean ok = completion.reason() != Completion.FinishReason.ABORT;
            boolean evicted = !ok && !timedOut && evictedReason != null;
            int cached = completion.cachedPromptTokens();
            if (remotePrefill != null) {
                collector.legServed(replica, completion.promptTokens(), cached);
                cached = prefillCachedTokens;
                if (ok) {
                    long first = trace.firstTokenNanos() < 0 ? completion.timeNanos() : trace.firstTokenNanos();
                    pdTally.split(planned.stage(), prefillDoneNanos - prefillSentNanos, first - decodeSentNanos,
                            completion.timeNanos() - decodeSentNanos);
                }
            }
            end(ok, ok ? null : timedOut ? "timeout" : evicted ? evictedError() : "aborted", completion.timeNanos(),
                    completion.promptTokens(), cached, completion.completionTokens(),
                    evicted ? evictedStatus : 0, evicted ? evictedReason : null);
        }

        /**
         * The request's outcome, recorded once: a failure with the HTTP status the client would have read (0 when
         * none: a timeout, an abort) and the gateway's dropped reason; the scheduler and the admission are told.
         */
        private void end(boolean ok, String error, long nanos, int promptTokens, int cachedTokens,
                         int completionTokens, int httpStatus, String droppedReason) {
            boolean held = arrivedNanos >= 0 && !dispatched;
            ended = true;
            // a split request's legs were counted on their own replicas as they ended (legServed)
            collector.finish(trace, ok, error, nanos, promptTokens, cachedTokens, completionTokens,
                    prefillTarget != null ? -1 : replica, httpStatus, droppedReason);
            if (prefillTarget != null && !prefillOver) {
                prefillOver = true;
                gw.scheduler().onPrefillComplete(result, prefillTarget, false);
                pdTally.prefillLegFailed(planned.stage());
            }
            // a killed gateway hears nothing more: its requests run on, its state is gone
            if (target != null && decodeStarted && gw.alive()) {
                gw.scheduler().onComplete(result, target, ok, completionTokens);
            }
            if (tally != null && decidedNanos >= 0) {
                if (shadowTarget != null) {
                    shadow.scheduler().onComplete(shadowResult, shadowTarget, ok, completionTokens);
                }
                long first = trace.firstTokenNanos();
                tally.ended(decidedNanos, ok, promptTokens, cachedTokens,
                        first < 0 ? -1 : first - trace.scheduledNanos());
            }
            if (dispatched) {
                admission.ended(this, ok);
            } else if (held && httpStatus == 0) {
                admission.cancelled(this); // the client gave up while the admission held it
            }
            // Still referenced from the deadline queue until its deadline passes: keep only what is small.
            result = null;
            shadowResult = null;
            tokens = null;
            request = null;
            requestEnded(planned.stage());
        }
    }

    /** One queue event per run of bursts due at once instead of one per KV event. */
    private void enqueueKvEvents(PendingKvEvents pending) {
        boolean idle = kvEvents.isEmpty();
        kvEvents.addLast(pending);
        if (idle) {
            events.at(pending.deliverAt(), this::deliverKvEvents);
        }
    }

    private void deliverKvEvents() {
        long now = clock.nanos();
        PendingKvEvents head;
        while ((head = kvEvents.peekFirst()) != null && head.deliverAt() <= now) {
            kvEvents.removeFirst();
            // every gateway subscribes to every engine's events
            for (SimGateway g : gateways) {
                g.deliver(head.replica(), head.events(), now);
            }
            if (shadow != null) {
                shadow.deliver(head.replica(), head.events(), now);
            }
        }
        if (head != null) {
            events.at(head.deliverAt(), this::deliverKvEvents);
        }
    }

    /** One engine replica, its step loop and its metrics scrapes. */
    private final class Replica {
        final int index;
        final VllmEngine engine;
        final Endpoint endpoint;
        /** Replica {@code index} as every other gateway (and the shadow) sees it: the same scrapes reach them all. */
        private final List<Endpoint> otherViews = new ArrayList<>();
        boolean stepping;
        /** What a scrape reads while a step is in flight: the engine's state at the end of the last one. */
        private EngineStats published;
        /** Requests submitted while a step was in flight: in vLLM's input queue, not in its gauges, until it ends. */
        int arrivedDuringStep;
        /** The KV events of the burst being emitted (all stamped {@link #burstTime}). */
        private final List<KvEvent> burst = new ArrayList<>();
        private long burstTime;

        Replica(int index) {
            this.index = index;
            this.endpoint = gateways.getFirst().endpoints().get(index);
            for (int g = 1; g < gateways.size(); g++) {
                otherViews.add(gateways.get(g).endpoints().get(index));
            }
            if (shadow != null) {
                otherViews.add(shadow.endpoints().get(index));
            }
            EngineConfig config = options.cluster().engine(index).withSeed(options.seed() + index)
                    .withTransferEndpoint(endpoint.id(), endpoint.address().split(":")[0], 8000);
            if (propagatesPriority) {
                config = config.withSchedulingPolicy(SchedulingPolicy.PRIORITY);
            }
            KvEventListener listener = gateways.getFirst().instance().kvEvents();
            KvEventSink sink = listener == null ? KvEventSink.NONE : this::collectKvEvent;
            this.engine = new VllmEngine(config, clock, sink);
            this.published = engine.stats();
        }

        /** The step just ended: the engine's gauges as vLLM makes them, without the requests that came during it. */
        private void publish() {
            EngineStats s = engine.stats();
            int waiting = Math.max(0, s.waiting() - arrivedDuringStep);
            arrivedDuringStep = 0;
            published = new EngineStats(s.running(), waiting, s.kvCacheUsage(), s.blockSize(), s.numGpuBlocks(),
                    s.prefixCacheQueries(), s.prefixCacheHits(), s.promptTokens(), s.generationTokens(),
                    s.preemptions());
        }

        private void collectKvEvent(KvEvent event, long timeNanos) {
            if (timeNanos != burstTime) {
                flushKvEvents();
                burstTime = timeNanos;
            }
            burst.add(event);
        }

        /** Queues the burst for delivery; called after every step and whenever the events' time changes. */
        void flushKvEvents() {
            if (!burst.isEmpty()) {
                enqueueKvEvents(new PendingKvEvents(burstTime + options.kvEventDelayNanos(), index,
                        burst.toArray(KvEvent[]::new)));
                burst.clear();
            }
        }

        /** Plans the next step when the engine has work and no step is in flight. */
        void kick() {
            if (stepping || engine.idle()) {
                return;
            }
            stepping = true;
            EngineStep step = engine.plan(clock.nanos());
            events.at(clock.nanos() + step.durationNanos(), () -> {
                // Still stepping while the step completes: a request that ends there can let another one in (the
                // concurrency cap, an admission), whose submit must not plan a step in the middle of this one's
                // completion; it waits in the engine's queue for the kick below, at the same virtual time.
                step.complete();
                publish();
                stepping = false;
                flushKvEvents();
                kick();
            });
        }

        void scrape() {
            // an idle engine applies aborts and KV releases at once and publishes them, as the simulator's loop does
            EngineStats s = stepping ? published : engine.stats();
            EndpointMetrics m = new EndpointMetrics(s.waiting(), s.running(), s.kvCacheUsage(), s.blockSize(),
                    s.numGpuBlocks(), LoraInfo.NONE, clock.nanos());
            endpoint.updateMetrics(m);
            for (Endpoint view : otherViews) {
                view.updateMetrics(m);
            }
            collector.sampleReplica(index, s.waiting(), s.running(), s.kvCacheUsage());
        }

        void scrapeTick() {
            scrape();
            if (workLeft()) {
                events.at(clock.nanos() + options.scrapeIntervalNanos(), this::scrapeTick);
            }
        }
    }
}
