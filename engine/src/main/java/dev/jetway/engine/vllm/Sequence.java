package dev.jetway.engine.vllm;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.KvTransfer;
import dev.jetway.engine.RequestObserver;
import java.util.Arrays;

/** One request inside the engine: its tokens, the blocks it holds, and how far it got. */
final class Sequence {

    enum State {
        /** In the waiting queue (new, preempted, or back from a KV transfer). */
        WAITING,
        /** Holds blocks and is pulling its prompt's KV from a remote prefill engine. */
        TRANSFERRING,
        /** In the running batch. */
        RUNNING,
        /** A finished prefill-only run whose blocks wait for a decode engine to fetch them. */
        PINNED,
        /** Done or aborted; holds nothing. */
        FINISHED
    }

    final EngineRequest request;
    final RequestObserver observer;
    final int promptLength;
    final long arrivalNanos;
    /** The engine's count of submissions when this one came: breaks ties of equal arrival times. */
    final long submitOrder;
    /** Output tokens the run will produce, and how it then ends. */
    final int targetOutputTokens;
    final FinishReason naturalEnd;
    final long firstBlockExtraKey;
    final long otherBlocksExtraKey;
    /** Where this request's output starts in the filler word cycle ({@link OutputTokens}). */
    final int outputOffset;

    State state = State.WAITING;
    int outputTokens;
    /** Tokens whose KV is computed, or scheduled to be by the step in flight. */
    int numComputed;
    int[] blocks;
    int numBlocks;
    /** The engine's hashes of this sequence's full blocks, computed lazily in chain order. */
    final long[] blockHashes;
    int numHashed;
    /** Leading blocks already registered in the prefix cache (as hits or by this sequence). */
    int numCachedBlocks;
    boolean admittedOnce;
    int cachedPromptTokens;
    /** For a remote-prefill decode run: whether its prompt's KV has arrived. */
    boolean kvReceived;
    long readyAtNanos;
    long pinnedUntilNanos;

    Sequence(EngineRequest request, RequestObserver observer, long arrivalNanos, long submitOrder,
             int targetOutputTokens, FinishReason naturalEnd, int blockSize, long firstBlockExtraKey,
             long otherBlocksExtraKey) {
        this.request = request;
        this.observer = observer;
        this.promptLength = request.promptTokens().length;
        this.arrivalNanos = arrivalNanos;
        this.submitOrder = submitOrder;
        this.targetOutputTokens = targetOutputTokens;
        this.naturalEnd = naturalEnd;
        this.firstBlockExtraKey = firstBlockExtraKey;
        this.otherBlocksExtraKey = otherBlocksExtraKey;
        this.outputOffset = OutputTokens.offsetFor(request.promptTokens());
        int maxLength = promptLength + targetOutputTokens;
        int maxBlocks = (maxLength + blockSize - 1) / blockSize;
        this.blocks = new int[Math.min(maxBlocks, 64)];
        this.blockHashes = new long[maxBlocks];
        this.kvReceived = !(request.kvTransfer() instanceof KvTransfer.DecodeAfterRemotePrefill);
    }

    String id() {
        return request.id();
    }

    /** Prompt tokens plus the tokens generated so far. */
    int numTokens() {
        return promptLength + outputTokens;
    }

    int tokenAt(int position) {
        return position < promptLength
                ? request.promptTokens()[position]
                : OutputTokens.id(outputOffset, position - promptLength);
    }

    boolean prefillOnly() {
        return request.kvTransfer() instanceof KvTransfer.PrefillForRemoteDecode;
    }

    void addBlock(int block) {
        if (numBlocks == blocks.length) {
            blocks = Arrays.copyOf(blocks, Math.min(blockHashes.length, blocks.length * 2));
        }
        blocks[numBlocks++] = block;
    }
}
