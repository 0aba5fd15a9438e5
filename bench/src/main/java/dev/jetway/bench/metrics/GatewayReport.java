package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a policy routed when several gateway replicas shared the traffic (active-active), before and after one of them
 * was killed, measured against a single gateway on the same requests in two ways.
 *
 * @param gateways gateway replicas at the start
 * @param killAtS  virtual second at which one gateway stopped, or null when none did
 * @param spread   how requests were spread over the gateways ({@code random}, {@code round-robin})
 * @param peerSync what the gateways exchanged ({@code none}, or the digest period and delay)
 * @param before   the decisions made before the kill (all of them when nothing was killed)
 * @param after    the decisions made after the kill, or null
 */
public record GatewayReport(int gateways, @JsonProperty("kill_at_s") Double killAtS, String spread,
                            String peerSync, Phase before, Phase after) {

    /**
     * One phase of the run, by the time each request was routed.
     *
     * @param decisions     requests routed in the phase
     * @param agreement     share of them sent where a single gateway that had seen every request (a shadow
     *                      scheduler fed the same metrics and KV events and told of every request) would have sent
     *                      them at that moment; null for the single-gateway run itself
     * @param runAgreement  share of them sent to the same replica as in the single-gateway run of the same requests
     *                      and seed (one different decision changes the cluster the later ones see, so this compounds);
     *                      null for the single-gateway run itself
     * @param prefixHitRate cached prompt tokens over prompt tokens of the phase's completed requests
     * @param ttftP90S      TTFT p90 of the phase's completed requests, or null when none completed
     */
    public record Phase(long decisions, Double agreement, Double runAgreement, double prefixHitRate,
                        @JsonProperty("ttft_p90_s") Double ttftP90S) {
    }
}
