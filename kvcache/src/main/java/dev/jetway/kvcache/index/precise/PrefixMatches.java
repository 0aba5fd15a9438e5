package dev.jetway.kvcache.index.precise;

import java.util.List;
import java.util.Optional;

/**
 * Result of a lookup: every endpoint holding at least block 0, best score first (ties by endpoint name).
 *
 * <p>Kept as parallel arrays in rank order: the scheduler reads them by rank ({@link #endpointAt}, {@link #blocksAt},
 * {@link #scoreAt}), so a lookup that matches many endpoints allocates no record per endpoint unless {@link #matches}
 * is asked for.
 */
public final class PrefixMatches {

    private final long[] requestKeys;
    private final int[] endpointIds;
    private final String[] endpoints;
    private final int[] blocks;
    private final double[] scores;
    /** Built on first use; a race only builds equal lists twice. */
    private List<EndpointMatch> matches;

    /** Arrays in rank order, all of one length; owned by this result from now on. */
    PrefixMatches(long[] requestKeys, int[] endpointIds, String[] endpoints, int[] blocks, double[] scores) {
        this.requestKeys = requestKeys;
        this.endpointIds = endpointIds;
        this.endpoints = endpoints;
        this.blocks = blocks;
        this.scores = scores;
    }

    /** The request's keys (pass them to {@link PrecisePrefixIndex#speculate} for the chosen endpoint). */
    public long[] requestKeys() {
        return requestKeys;
    }

    /** Blocks of the request (full blocks only, as the engine caches them). */
    public int totalBlocks() {
        return requestKeys.length;
    }

    /** Endpoints with at least one matched block. */
    public int size() {
        return endpoints.length;
    }

    /** Name of the endpoint ranked {@code rank} (0 = best). */
    public String endpointAt(int rank) {
        return endpoints[rank];
    }

    /** Matched blocks of the endpoint ranked {@code rank}. */
    public int blocksAt(int rank) {
        return blocks[rank];
    }

    /** Tier-weighted score of the endpoint ranked {@code rank}. */
    public double scoreAt(int rank) {
        return scores[rank];
    }

    /** The matches as records, by descending score. */
    public List<EndpointMatch> matches() {
        List<EndpointMatch> list = matches;
        if (list == null) {
            EndpointMatch[] all = new EndpointMatch[endpoints.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = new EndpointMatch(endpointIds[i], endpoints[i], blocks[i], scores[i]);
            }
            list = List.of(all);
            matches = list;
        }
        return list;
    }

    public Optional<EndpointMatch> of(String endpoint) {
        int rank = rankOf(endpoint);
        return rank < 0 ? Optional.empty() : Optional.of(matches().get(rank));
    }

    /** Matched blocks of the endpoint, 0 if it holds none. */
    public int blocks(String endpoint) {
        int rank = rankOf(endpoint);
        return rank < 0 ? 0 : blocks[rank];
    }

    public double score(String endpoint) {
        int rank = rankOf(endpoint);
        return rank < 0 ? 0.0 : scores[rank];
    }

    private int rankOf(String endpoint) {
        for (int i = 0; i < endpoints.length; i++) {
            if (endpoints[i].equals(endpoint)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "PrefixMatches[" + totalBlocks() + " blocks, " + matches() + "]";
    }
}
