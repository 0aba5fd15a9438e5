package dev.jetway.kvcache.index.precise;

/**
 * Everything the index keeps about one endpoint besides its table entries. Mutated only under the index's write
 * lock; counters are volatile so metrics threads read current values.
 */
final class EndpointState {

    final int id;
    final String name;
    final String model;
    final long modelRoot;
    final EngineKeyMap engineKeys = new EngineKeyMap();
    final ParityWindow parity;

    volatile long lastSeq = -1;
    volatile boolean seenSeq;
    volatile long messages;
    volatile long sequenceGaps;
    volatile long publisherRestarts;
    volatile long malformedMessages;
    volatile long clears;
    volatile long blocksStored;
    volatile long blocksRemoved;
    volatile long orphanBlocks;
    volatile long rejectedEvents;
    /** Times the closure audit found the endpoint holding a block without its parent. */
    volatile long gapsFound;
    /** BlockStored events received, whether indexed or not: proof the endpoint is publishing. */
    volatile long storedEventsSeen;
    /**
     * Requests routed here with blocks the index did not know the endpoint held, since its publisher was last heard
     * from: each should have produced a BlockStored. Reset by every message received.
     */
    volatile long routedSinceHeard;
    /** When the first of those requests' parity timeout runs out (index clock): its BlockStored is overdue then. */
    volatile long firstUnheardDueNanos;
    /** Last block size reported that differs from the configured one, 0 if none. */
    volatile int mismatchedBlockSize;

    EndpointState(int id, String name, String model, long modelRoot, int parityWindow) {
        this.id = id;
        this.name = name;
        this.model = model;
        this.modelRoot = modelRoot;
        this.parity = new ParityWindow(parityWindow);
    }

    EndpointStats stats(boolean gapped, boolean silent) {
        return new EndpointStats(name, model, engineKeys.size(), messages, sequenceGaps, publisherRestarts,
                malformedMessages, clears, blocksStored, blocksRemoved, orphanBlocks, rejectedEvents, lastSeq,
                gapsFound, gapped, routedSinceHeard, silent);
    }
}
