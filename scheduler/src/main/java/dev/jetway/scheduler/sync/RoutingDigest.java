package dev.jetway.scheduler.sync;

import java.util.List;
import java.util.Objects;

/**
 * What one gateway replica tells its peers about one pool since its last digest: where it routed which prompt
 * blocks (so their approximate prefix indexes learn its routing history), and what it has in flight on each endpoint
 * now (so their load view includes it). Built by {@link PeerSync#export}, applied by {@link PeerSync#apply}.
 *
 * @param sender         the sending replica's id, new at every start (a restarted peer is a new peer)
 * @param sequence       increases with every digest of the sender (parts of one digest on the wire share it); an
 *                       older digest's load is ignored
 * @param routed         the routing records since the previous digest, oldest first
 * @param load           the sender's own in-flight counts per endpoint (endpoints with nothing in flight omitted)
 * @param droppedRecords records the sender's journal dropped since the previous digest because it was full
 */
public record RoutingDigest(String sender, long sequence, List<RoutedBlocks> routed, List<EndpointLoad> load,
                            long droppedRecords) {

    public RoutingDigest {
        Objects.requireNonNull(sender, "sender");
        routed = List.copyOf(routed);
        load = List.copyOf(load);
    }

    /** Block keys in all records (what the digest's size grows with). */
    public long keyCount() {
        long n = 0;
        for (RoutedBlocks r : routed) {
            n += r.keys().length;
        }
        return n;
    }
}
