package dev.jetway.kvcache.index.precise;

/**
 * Counters of one endpoint's KV-event intake, for the gateway's metrics.
 *
 * @param endpoint            endpoint name
 * @param model               model the endpoint serves (roots the key chain unless an event names a LoRA)
 * @param engineBlocks        engine block hashes currently mapped to request keys
 * @param messages            messages received
 * @param sequenceGaps        messages after a jump in the sequence (events lost)
 * @param publisherRestarts   messages whose sequence went back (publisher restarted)
 * @param malformedMessages   payloads that did not decode
 * @param clears              times the endpoint's entries were dropped (gap, restart, malformed, AllBlocksCleared)
 * @param blocksStored        blocks indexed from BlockStored
 * @param blocksRemoved       blocks removed by BlockRemoved
 * @param orphanBlocks        blocks not indexed because their parent block is unknown (e.g. stored before a resync)
 * @param rejectedEvents      BlockStored events not indexed: wrong block size or token count not blocks x size
 * @param lastSeq             last sequence number received, -1 before any
 * @param gapsFound           times the closure audit found a block held without its parent (see
 *                            {@link PrecisePrefixIndex})
 * @param gapped              whether lookups read this endpoint block by block until its entries are next dropped
 *                            (the audit found a gap, or the entry bound evicted some of its entries)
 * @param routedSinceHeard    requests routed here with blocks new to the endpoint since its publisher was last heard
 *                            from: many in a row mean the subscription hears nothing (a wrong address, a blocked
 *                            port, a server started without KV events), and precise routing is blind to the endpoint
 * @param silent              at least {@link PrecisePrefixIndex#SILENT_AFTER_ROUTED} such requests, and the first of
 *                            them is overdue (its parity timeout ran out): the gateway warns and counts the endpoint
 */
public record EndpointStats(String endpoint, String model, int engineBlocks, long messages, long sequenceGaps,
                            long publisherRestarts, long malformedMessages, long clears, long blocksStored,
                            long blocksRemoved, long orphanBlocks, long rejectedEvents, long lastSeq,
                            long gapsFound, boolean gapped, long routedSinceHeard, boolean silent) {
}
