package dev.jetway.kvcache.index.precise;

/**
 * Hash-parity state of an endpoint (or the whole pool): of recent routed requests whose new blocks the engine should
 * have reported, the share whose reported blocks carried the request keys Jetway computed at routing time.
 *
 * @param scope   endpoint name, or {@code "pool"}
 * @param ratio   agreements / judged requests in the window; NaN before any request was judged
 * @param samples judged requests in the window
 * @param hint    likely cause when the ratio is low
 * @param engineBlockSize last block size the engine(s) reported that differs from the configured one, or 0
 */
public record ParityReport(String scope, double ratio, int samples, ParityHint hint, int engineBlockSize) {
}
