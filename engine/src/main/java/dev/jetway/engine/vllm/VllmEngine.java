package dev.jetway.engine.vllm;

import dev.jetway.engine.Clock;
import dev.jetway.engine.Completion;
import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.Engine;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.KvTransfer;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.engine.cost.StepCostModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model of one vLLM (V1) replica: paged KV cache with automatic prefix caching, the continuous-batching scheduler
 * with chunked prefill and recompute preemption (first come first served, or by request priority as
 * {@code --scheduling-policy priority}), a roofline cost model for step times, KV events, and the NIXL-style P/D
 * roles. The behaviour and every formula are described in docs/simulator.md ("Engine model").
 *
 * <p>Single-threaded and deterministic: time comes only from {@link #plan(long)}'s argument and the injected
 * {@link Clock} (for arrival and abort times), and nothing iterates in hash order.
 */
public final class VllmEngine implements Engine {

    private static final Logger LOG = LoggerFactory.getLogger(VllmEngine.class);

    /** Longest step with nothing scheduled (waiting for a KV transfer or for pinned blocks). */
    static final long MAX_EMPTY_STEP_NANOS = 50_000_000;

    private final EngineConfig config;
    private final Clock clock;
    private final int blockSize;
    private final int maxModelLen;
    private final long transferWindowNanos;
    private final StepCostModel cost;
    /** The model's sliding window in tokens, 0 without one. */
    private final int window;
    private final KvCacheManager kv;
    private final EosModel eos;

    /** vLLM's preemption victim under the priority policy: the lowest priority, the latest arrival among equals. */
    private static final Comparator<Sequence> VICTIM_ORDER = WaitingQueue.ByPriority.ORDER;

    private final Map<String, Sequence> byId = new HashMap<>();
    private final boolean byPriority;
    private final WaitingQueue waiting;
    private long submissions;
    private final ArrayList<Sequence> running = new ArrayList<>();
    private final ArrayList<Sequence> transferring = new ArrayList<>();
    private final ArrayDeque<Sequence> pinned = new ArrayDeque<>();

    /** The sequences of the step in flight (one at a time) and the tokens each got, reused from step to step. */
    private final Sequence[] stepSequences;
    private final int[] stepTokens;
    private Step inFlight;

    private long prefixCacheQueries;
    private long prefixCacheHits;
    private long promptTokens;
    private long generationTokens;
    private long preemptions;

    /**
     * @param config engine configuration (profile, cache and scheduler sizes, seeds, P/D endpoint)
     * @param clock  the time of arrivals and aborts (wall time in the sim server, virtual time in the simulator)
     * @param sink   receives KV events in order, stamped with the end time of the step that caused them
     */
    public VllmEngine(EngineConfig config, Clock clock, KvEventSink sink) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sink, "sink");
        this.blockSize = config.blockSize();
        this.maxModelLen = config.effectiveMaxModelLen();
        this.transferWindowNanos = config.kvTransferWindow().toNanos();
        this.cost = new StepCostModel(config.profile());
        this.window = cost.windowTokens();
        this.kv = new KvCacheManager(config.numGpuBlocks(), blockSize, maxModelLen, config.hashSeed(), sink);
        this.eos = new EosModel(config.seed());
        this.stepSequences = new Sequence[config.maxNumSeqs()];
        this.stepTokens = new int[config.maxNumSeqs()];
        this.byPriority = config.schedulingPolicy() == SchedulingPolicy.PRIORITY;
        this.waiting = byPriority ? WaitingQueue.byPriority() : WaitingQueue.fcfs();
    }

    /** An engine with the configuration's defaults for a built-in profile, on {@code clock}, without events. */
    public static VllmEngine of(String profileName, Clock clock) {
        return new VllmEngine(EngineConfig.defaults(profileName), clock, KvEventSink.NONE);
    }

    public EngineConfig config() {
        return config;
    }

    public StepCostModel costModel() {
        return cost;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the id is in use, the prompt is empty, prompt + maxTokens exceeds
     *                                  the max model length, the request could never fit in the KV cache, or it
     *                                  has a priority other than 0 while the policy is first come first served
     *                                  (vLLM refuses it so)
     */
    @Override
    public void submit(EngineRequest request, RequestObserver observer) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(observer, "observer");
        int prompt = request.promptTokens().length;
        if (byId.containsKey(request.id())) {
            throw new IllegalArgumentException("request id '" + request.id() + "' is already in the engine");
        }
        if (prompt == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (request.priority() != 0 && !byPriority) {
            throw new IllegalArgumentException("Got priority " + request.priority()
                    + " but Priority scheduling is not enabled.");
        }
        if ((long) prompt + request.maxTokens() > maxModelLen) {
            throw new IllegalArgumentException("This model's maximum context length is " + maxModelLen
                    + " tokens. However, you requested " + ((long) prompt + request.maxTokens()) + " tokens ("
                    + prompt + " in the prompt, " + request.maxTokens() + " in the completion).");
        }
        EosModel.Outcome outcome = eos.outcome(request);
        long blocksNeeded = ((long) prompt + outcome.outputTokens() + blockSize - 1) / blockSize;
        if (blocksNeeded > kv.numBlocks()) {
            throw new IllegalArgumentException("the request needs " + blocksNeeded + " KV blocks but the cache has "
                    + kv.numBlocks());
        }
        long now = clock.nanos();
        expireTimers(now);
        Sequence seq = new Sequence(request, observer, now, submissions++, outcome.outputTokens(), outcome.reason(),
                blockSize,
                kv.extraKey(request.loraName(), request.cacheSalt(), true),
                kv.extraKey(request.loraName(), request.cacheSalt(), false));
        byId.put(request.id(), seq);
        waiting.add(seq);
    }

    @Override
    public void abort(String requestId) {
        Sequence seq = byId.get(requestId);
        if (seq == null) {
            return;
        }
        long now = clock.nanos();
        switch (seq.state) {
            case WAITING -> waiting.remove(seq);
            case RUNNING -> running.remove(seq);
            case TRANSFERRING -> transferring.remove(seq);
            case PINNED -> {
                // The prefill run already answered; aborting it only hands its blocks back.
                pinned.remove(seq);
                unpin(seq);
                return;
            }
            case FINISHED -> {
                return;
            }
        }
        byId.remove(requestId);
        kv.free(seq);
        seq.state = Sequence.State.FINISHED;
        seq.observer.onFinished(new Completion(seq.id(), FinishReason.ABORT, seq.promptLength,
                Math.max(0, seq.cachedPromptTokens), seq.outputTokens, null, now));
    }

    /**
     * A decode engine has fetched the KV of the prefill-only run {@code requestId}: its pinned blocks go back to
     * the free queue (staying cached). Unknown ids are ignored. Without this call the blocks are released when the
     * transfer window ({@link EngineConfig#kvTransferWindow()}) ends.
     */
    @Override
    public void releaseKvTransfer(String requestId) {
        Sequence seq = byId.get(requestId);
        if (seq != null && seq.state == Sequence.State.PINNED) {
            pinned.remove(seq);
            unpin(seq);
        }
    }

    @Override
    public boolean idle() {
        return waiting.isEmpty() && running.isEmpty() && transferring.isEmpty();
    }

    @Override
    public EngineStep plan(long startNanos) {
        if (inFlight != null) {
            throw new IllegalStateException("the previous step was not completed");
        }
        if (idle()) {
            throw new IllegalStateException("the engine is idle: nothing to plan");
        }
        expireTimers(startNanos);
        Step step = new Step(startNanos);
        int budget = config.maxNumBatchedTokens();
        boolean preempted = false;

        // Running requests first: a decode token each, or the next chunk of a prompt.
        for (int i = 0; i < running.size() && budget > 0; ) {
            Sequence seq = running.get(i);
            int numNew = Math.min(seq.numTokens() - seq.numComputed, budget);
            boolean scheduled = false;
            while (true) {
                if (kv.allocateSlots(seq, 0, numNew)) {
                    scheduled = true;
                    break;
                }
                Sequence victim = byPriority ? Collections.max(running, VICTIM_ORDER) : running.getLast();
                int at = byPriority ? running.indexOf(victim) : running.size() - 1;
                running.remove(at);
                if (at < i) {
                    // already in this step (only by priority): it gives its tokens back, as vLLM unschedules it
                    budget += step.remove(victim);
                    i--;
                }
                preempt(victim);
                preempted = true;
                if (victim == seq) {
                    break;
                }
            }
            if (!scheduled) {
                break;
            }
            step.add(seq, numNew);
            budget -= numNew;
            i++;
        }

        // Then waiting requests in the policy's order, unless memory ran short this step.
        if (!preempted) {
            while (!waiting.isEmpty() && budget > 0 && running.size() < config.maxNumSeqs()) {
                Sequence seq = waiting.peek();
                if (!seq.kvReceived) {
                    if (!startTransfer(seq, startNanos)) {
                        break;
                    }
                    continue;
                }
                int hits = seq.numBlocks == 0 ? kv.findCachedPrefix(seq) : 0;
                int hitTokens = hits * blockSize;
                int numNew = Math.min(seq.numTokens() - seq.numComputed - hitTokens, budget);
                if (!kv.allocateSlots(seq, hits, numNew)) {
                    break;
                }
                waiting.poll();
                seq.state = Sequence.State.RUNNING;
                running.add(seq);
                if (!seq.admittedOnce) {
                    firstAdmission(seq, hitTokens, startNanos);
                }
                step.add(seq, numNew);
                budget -= numNew;
            }
        }

        if (step.count == 0) {
            // Nothing can run: wait for the next transfer or pin release, but not so long that a release, an abort
            // or a new arrival would go unnoticed.
            long wait = Math.min(nextTimerNanos(startNanos) - startNanos, MAX_EMPTY_STEP_NANOS);
            step.durationNanos = Math.max(cost.stepOverheadNanos(), wait);
        } else {
            step.durationNanos = cost.stepNanos(step.count, step.tokens, step.attentionPairs, step.contextTokens,
                    step.windowPairs, step.windowContext);
        }
        inFlight = step;
        return step;
    }

    @Override
    public EngineStats stats() {
        releaseExpiredPins(clock.nanos());
        return new EngineStats(running.size(), waiting.size() + transferring.size(),
                (double) kv.numUsed() / kv.numBlocks(), blockSize, kv.numBlocks(), prefixCacheQueries,
                prefixCacheHits, promptTokens, generationTokens, preemptions);
    }

    @Override
    public void reset() {
        List<Sequence> active = new ArrayList<>(byId.values().size());
        active.addAll(running);
        active.addAll(transferring);
        active.addAll(waiting.toList());
        for (Sequence seq : active) {
            abort(seq.id());
        }
        while (!pinned.isEmpty()) {
            unpin(pinned.pollFirst());
        }
        kv.clear(clock.nanos());
        LOG.info("engine {} reset: prefix cache cleared, {} requests aborted", config.engineId(), active.size());
    }

    // ---- scheduling ----

    private void firstAdmission(Sequence seq, int hitTokens, long startNanos) {
        seq.admittedOnce = true;
        seq.cachedPromptTokens = Math.min(hitTokens, seq.promptLength);
        prefixCacheQueries += seq.numTokens();
        prefixCacheHits += hitTokens;
        promptTokens += seq.promptLength;
        // A wall-time driver may plan on a timeline slightly behind the clock that stamped the arrival.
        seq.observer.onScheduled(startNanos, Math.max(0, startNanos - seq.arrivalNanos), seq.cachedPromptTokens);
    }

    /**
     * Admits a remote-prefill decode run: it takes blocks for its whole prompt (reusing local cache hits) and waits
     * for the rest of the KV to arrive over the link. False if the blocks do not fit.
     */
    private boolean startTransfer(Sequence seq, long startNanos) {
        int hits = kv.findCachedPrefix(seq);
        if (!kv.allocatePrompt(seq, hits)) {
            return false;
        }
        waiting.poll();
        int hitTokens = hits * blockSize;
        seq.state = Sequence.State.TRANSFERRING;
        KvTransfer.RemotePrefillParams params = ((KvTransfer.DecodeAfterRemotePrefill) seq.request.kvTransfer()).params();
        int remoteTp = params == null ? 0 : params.tpSize();
        seq.readyAtNanos = startNanos + cost.transferNanos(seq.promptLength - hitTokens, remoteTp);
        transferring.add(seq);
        firstAdmission(seq, hitTokens, startNanos);
        return true;
    }

    private void preempt(Sequence seq) {
        kv.free(seq);
        seq.numComputed = 0;
        seq.kvReceived = true; // a preempted remote-decode run recomputes locally, like vLLM
        seq.state = Sequence.State.WAITING;
        waiting.addBack(seq);
        preemptions++;
        LOG.debug("engine {} preempted {} ({} running)", config.engineId(), seq.id(), running.size());
    }

    private void unpin(Sequence seq) {
        kv.free(seq);
        seq.state = Sequence.State.FINISHED;
        byId.remove(seq.id());
    }

    /** Releases expired transfer windows and moves arrived transfers to the front of the queue. */
    private void expireTimers(long now) {
        releaseExpiredPins(now);
        if (transferring.isEmpty()) {
            return;
        }
        List<Sequence> arrived = null;
        for (Iterator<Sequence> it = transferring.iterator(); it.hasNext(); ) {
            Sequence seq = it.next();
            if (seq.readyAtNanos <= now) {
                it.remove();
                if (arrived == null) {
                    arrived = new ArrayList<>();
                }
                arrived.add(seq);
            }
        }
        if (arrived == null) {
            return;
        }
        for (int i = arrived.size() - 1; i >= 0; i--) {
            Sequence seq = arrived.get(i);
            seq.kvReceived = true;
            // vLLM recomputes the last prompt token to sample the first output token.
            seq.numComputed = seq.promptLength - 1;
            kv.cacheFullBlocks(seq, seq.numComputed);
            seq.state = Sequence.State.WAITING;
            waiting.addBack(seq);
        }
    }

    private void releaseExpiredPins(long now) {
        while (!pinned.isEmpty() && pinned.peekFirst().pinnedUntilNanos <= now) {
            unpin(pinned.pollFirst());
        }
    }

    /** The next time something changes without a step: a transfer arrives or a pinned block is released. */
    private long nextTimerNanos(long now) {
        long next = Long.MAX_VALUE;
        for (Sequence seq : transferring) {
            next = Math.min(next, seq.readyAtNanos);
        }
        if (!waiting.isEmpty() && !pinned.isEmpty()) {
            next = Math.min(next, pinned.peekFirst().pinnedUntilNanos);
        }
        return next == Long.MAX_VALUE ? now : next;
    }

    // ---- step completion ----

    private void complete(Step step) {
        if (inFlight != step) {
            throw new IllegalStateException("this step was already completed");
        }
        inFlight = null;
        long end = step.startNanos + step.durationNanos;
        int finished = 0;
        for (int k = 0; k < step.count; k++) {
            Sequence seq = stepSequences[k];
            stepSequences[k] = null;
            if (seq.state != Sequence.State.RUNNING || seq.numComputed < seq.numTokens()) {
                continue; // aborted meanwhile, or a prompt chunk that produces no token yet
            }
            seq.outputTokens++;
            generationTokens++;
            seq.observer.onTokens(1, end);
            if (seq.outputTokens >= seq.targetOutputTokens) {
                finish(seq, end);
                finished++;
            }
        }
        if (finished > 0) {
            removeFinishedFromRunning();
        }
        kv.flushEvents(end);
    }

    private void finish(Sequence seq, long end) {
        KvTransfer.RemotePrefillParams params = null;
        if (seq.prefillOnly()) {
            List<Integer> blockIds = new ArrayList<>(seq.numBlocks);
            for (int i = 0; i < seq.numBlocks; i++) {
                blockIds.add(seq.blocks[i]);
            }
            params = new KvTransfer.RemotePrefillParams(config.engineId(), seq.id(), List.copyOf(blockIds),
                    config.host(), config.port(), config.profile().tensorParallel());
            seq.state = Sequence.State.PINNED;
            seq.pinnedUntilNanos = end + transferWindowNanos;
            pinned.addLast(seq);
        } else {
            kv.free(seq);
            seq.state = Sequence.State.FINISHED;
            byId.remove(seq.id());
        }
        seq.observer.onFinished(new Completion(seq.id(), seq.naturalEnd, seq.promptLength, seq.cachedPromptTokens,
                seq.outputTokens, params, end));
    }

    private void removeFinishedFromRunning() {
        int w = 0;
        for (int r = 0; r < running.size(); r++) {
            Sequence seq = running.get(r);
            if (seq.state == Sequence.State.RUNNING) {
                running.set(w++, seq);
            }
        }
        while (running.size() > w) {
            running.removeLast();
        }
    }

    /** A planned step: what it schedules and what it costs. */
    private final class Step implements EngineStep {

        final long startNanos;
        long durationNanos;
        int count;
        long tokens;
        long attentionPairs;
        long contextTokens;
        /** Sliding-window layers' pairs and keys read (stay 0 for a model without them). */
        long windowPairs;
        long windowContext;

        Step(long startNanos) {
            this.startNanos = startNanos;
        }

        void add(Sequence seq, int numNew) {
            account(seq.numComputed, numNew, 1);
            seq.numComputed += numNew;
            stepTokens[count] = numNew;
            stepSequences[count++] = seq;
        }

        /** Takes {@code seq} out of this step again; returns the tokens it had. */
        int remove(Sequence seq) {
            int k = 0;
            while (stepSequences[k] != seq) {
                k++;
            }
            int numNew = stepTokens[k];
            seq.numComputed -= numNew;
            account(seq.numComputed, numNew, -1);
            System.arraycopy(stepSequences, k + 1, stepSequences, k, count - k - 1);
            System.arraycopy(stepTokens, k + 1, stepTokens, k, count - k - 1);
            stepSequences[--count] = null;
            return numNew;
        }

        /** Adds ({@code sign} 1) or takes back (-1) what {@code numNew} tokens after {@code before} cost. */
        private void account(long before, int numNew, int sign) {
            tokens += sign * numNew;
            attentionPairs += sign * StepCostModel.attentionPairs(before, numNew);
            contextTokens += sign * (before + numNew);
            if (window > 0) {
                windowPairs += sign * StepCostModel.windowAttentionPairs(before, numNew, window);
                windowContext += sign * StepCostModel.windowContext(before, numNew, window);
            }
        }

        @Override
        public long durationNanos() {
            return durationNanos;
        }

        @Override
        public int batchedTokens() {
            return (int) tokens;
        }

        @Override
        public void complete() {
            VllmEngine.this.complete(this);
        }
    }
}
