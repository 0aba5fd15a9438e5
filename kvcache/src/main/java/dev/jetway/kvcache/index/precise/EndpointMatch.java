package dev.jetway.kvcache.index.precise;

/**
 * How much of a request's prefix one endpoint holds.
 *
 * @param endpointId id from {@link PrecisePrefixIndex#addEndpoint}
 * @param endpoint   the endpoint's name ({@code host:port})
 * @param blocks     longest run of consecutive blocks from block 0 the endpoint holds (any tier)
 * @param score      sum over those blocks of the best tier weight (llm-d's LongestPrefixScorer)
 */
public record EndpointMatch(int endpointId, String endpoint, int blocks, double score) {
}
