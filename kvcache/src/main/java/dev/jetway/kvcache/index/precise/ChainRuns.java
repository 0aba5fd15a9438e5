package dev.jetway.kvcache.index.precise;

/**
 * Run lengths along one request's chain: for each endpoint, how many blocks from block 0 it holds in a row.
 *
 * <p>{@link #scan} reads every block until the last run ends: exact whatever the index holds. {@link #bisect} relies
 * on prefix closure (an endpoint holding a block holds its parent, so along one chain the holder sets only shrink)
 * and finds each run's end by bisection: about log2(blocks) reads per distinct run length instead of one read per
 * block. Engines keep their caches closed (vLLM frees a request's blocks tail first, and a block whose prefix is
 * gone can never be hit); the index falls back to {@link #scan} for endpoints where it cannot vouch for closure
 * (see {@link PrecisePrefixIndex}).
 */
final class ChainRuns {

    /** Intervals this short are read block by block: bisecting them would read about as many blocks. */
    private static final int SCAN_BELOW = 8;

    private ChainRuns() {
    }

    /**
     * Exact runs of {@code endpoints} (a mask over the chain's group) into {@code run} (indexed by endpoint id),
     * reading blocks in order until all runs ended.
     */
    static void scan(GroupChain chain, long endpoints, int[] run) {
        if (endpoints != 0) {
            scanBetween(chain, -1, chain.blocks(), endpoints, run);
        }
    }

    /**
     * Runs of {@code endpoints} (a mask over the chain's group) into {@code run}, assuming each endpoint's holdings
     * are prefix-closed along this chain. Reads block 0 (a request nobody holds costs one read) and the last block (a
     * request held whole costs two), then bisects between them per set of endpoints whose runs end in the same
     * interval.
     */
    static void bisect(GroupChain chain, long endpoints, int[] run) {
        int blocks = chain.blocks();
        if (endpoints == 0 || blocks == 0) {
            return;
        }
        long first = endpoints & chain.holders(0);
        if (first == 0 || blocks == 1) {
            endRuns(chain, first, 1, run);
            return;
        }
        long whole = first & chain.holders(blocks - 1);
        endRuns(chain, whole, blocks, run);
        split(chain, 0, blocks - 1, first & ~whole, run);
    }

    /** Every endpoint of {@code endpoints} holds block {@code lo} and lacks block {@code hi}: its run ends in (lo, hi]. */
    private static void split(GroupChain chain, int lo, int hi, long endpoints, int[] run) {
        while (endpoints != 0) {
            int width = hi - lo;
            int runs = Long.bitCount(endpoints);
            int spacing = width / runs;
            // Bisecting k runs spread over the interval reads about k·(log2(width / k) + 2) blocks; a scan, up to width.
            if (width <= SCAN_BELOW || spacing < 4
                    || (long) runs * (33 - Integer.numberOfLeadingZeros(spacing)) >= width) {
                scanBetween(chain, lo, hi, endpoints, run);
                return;
            }
            int mid = (lo + hi) >>> 1;
            long held = endpoints & chain.holders(mid);
            split(chain, lo, mid, endpoints & ~held, run);
            lo = mid;
            endpoints = held;
        }
    }

    /** Of {@code endpoints}, those holding some block after one they lack along the chain. Reads every block. */
    static long gaps(GroupChain chain, long endpoints) {
        long lacking = 0;
        long gapped = 0;
        for (int b = 0; b < chain.blocks(); b++) {
            long held = endpoints & chain.holders(b);
            gapped |= held & lacking;
            lacking |= endpoints & ~held;
        }
        return gapped;
    }

    /** Reads blocks lo+1 .. hi-1 in order: each endpoint's run ends at the first it lacks, else at {@code hi}. */
    private static void scanBetween(GroupChain chain, int lo, int hi, long endpoints, int[] run) {
        long running = endpoints;
        for (int b = lo + 1; b < hi; b++) {
            long stays = running & chain.holders(b);
            if (stays != running) {
                endRuns(chain, running & ~stays, b, run);
                running = stays;
                if (running == 0) {
                    return;
                }
            }
        }
        endRuns(chain, running, hi, run);
    }

    /** Each endpoint in {@code endpoints} (bit i: endpoint i of the chain's group) holds a run of {@code length}. */
    private static void endRuns(GroupChain chain, long endpoints, int length, int[] run) {
        int base = chain.group() << 6;
        for (long m = endpoints; m != 0; m &= m - 1) {
            run[base | Long.numberOfTrailingZeros(m)] = length;
        }
    }
}
