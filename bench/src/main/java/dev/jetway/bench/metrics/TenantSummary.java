package dev.jetway.bench.metrics;

/**
 * One tenant (fairness id) over all its traffic classes.
 *
 * @param outputTokensPerS output tokens of its completed requests over the window's length
 */
public record TenantSummary(String tenant, long requests, long completed, long failed, double outputTokensPerS) {
}
