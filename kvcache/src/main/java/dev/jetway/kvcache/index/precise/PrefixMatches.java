package dev.jetway.kvcache.index.precise;

import java.util.List;
import java.util.Optional;

/**
 * Result of a lookup: per endpoint holding at least block 0, its match; best score first.
 *
 * @param requestKeys the request's keys (pass them to {@link PrecisePrefixIndex#speculate} for the chosen endpoint)
 * @param matches     endpoints with at least one matched block, by descending score
 */
public record PrefixMatches(long[] requestKeys, List<EndpointMatch> matches) {

    public PrefixMatches {
        matches = List.copyOf(matches);
    }

    /** Blocks of the request (full blocks only, as the engine caches them). */
    public int totalBlocks() {
        return requestKeys.length;
    }

    public Optional<EndpointMatch> of(String endpoint) {
        return matches.stream().filter(m -> m.endpoint().equals(endpoint)).findFirst();
    }

    /** Matched blocks of the endpoint, 0 if it holds none. */
    public int blocks(String endpoint) {
        return of(endpoint).map(EndpointMatch::blocks).orElse(0);
    }

    public double score(String endpoint) {
        return of(endpoint).map(EndpointMatch::score).orElse(0.0);
    }
}
