package dev.jetway.gateway.path;

import dev.jetway.scheduler.Endpoint;

/**
 * The prefill half of a split request, as the decode leg needs it.
 *
 * @param prefill      the endpoint that prefilled the prompt (gateway mode) or will (sidecar mode)
 * @param cachedTokens what the prefill endpoint reported as cached ({@code usage.prompt_tokens_details.cached_tokens}),
 *                     reported to the client in place of the decode endpoint's figure as llm-d's sidecar does; -1
 *                     when unknown (then the decode endpoint's figure stays)
 * @param sidecar      the decode endpoint's llm-d sidecar runs the prefill leg ({@code x-prefiller-host-port})
 */
public record SplitLeg(Endpoint prefill, long cachedTokens, boolean sidecar) {

    /** llm-d's header naming the prefill endpoint for the decode pod's sidecar. */
    public static final String PREFILLER_HEADER = "x-prefiller-host-port";
    /** The response header naming the prefill endpoint (the decode endpoint is in {@code x-jetway-endpoint}). */
    public static final String PREFILL_ENDPOINT_HEADER = "x-jetway-prefill-endpoint";
}
