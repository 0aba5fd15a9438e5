package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * How the gateway carries a request its pool's {@code disagg-profile-handler} splits into a prefill and a decode leg.
 *
 * @param mode                   {@value #GATEWAY} (default): the gateway drives both legs against stock vLLM with
 *                               the NIXL connector; {@value #SIDECAR}: the request goes to the decode endpoint with
 *                               llm-d's {@code x-prefiller-host-port} header, for decode pods that run llm-d's routing
 *                               sidecar
 * @param prefillTimeout         the whole prefill leg, queueing included; after it the leg is aborted (504, or the
 *                               next prefill endpoint)
 * @param prefillRetries         further prefill endpoints tried after a prefill leg fails with a connect error, a
 *                               reset, a 5xx or a timeout ({@code 4xx} answers are the client's and go back as they are)
 * @param maxPrefillResponseBytes a prefill answer larger than this is refused (it is one token and the KV handle)
 */
public record DisaggregationSettings(String mode, Duration prefillTimeout, Integer prefillRetries,
                                     Integer maxPrefillResponseBytes) {

    public static final String GATEWAY = "gateway";
    public static final String SIDECAR = "sidecar";

    public DisaggregationSettings {
        mode = mode == null ? GATEWAY : mode;
        if (!List.of(GATEWAY, SIDECAR).contains(mode)) {
            throw new IllegalArgumentException("disaggregation.mode must be " + GATEWAY + " or " + SIDECAR + ", got "
                    + mode);
        }
        prefillTimeout = prefillTimeout == null ? Duration.ofSeconds(60) : prefillTimeout;
        prefillRetries = prefillRetries == null ? 1 : prefillRetries;
        maxPrefillResponseBytes = maxPrefillResponseBytes == null ? 1 << 20 : maxPrefillResponseBytes;
        ConfigChecks.positive("disaggregation.prefillTimeout", prefillTimeout);
        ConfigChecks.nonNegative("disaggregation.prefillRetries", prefillRetries);
        ConfigChecks.positive("disaggregation.maxPrefillResponseBytes", maxPrefillResponseBytes);
    }

    public static DisaggregationSettings defaults() {
        return new DisaggregationSettings(null, null, null, null);
    }

    /** The gateway runs the prefill leg itself. */
    public boolean gatewayDriven() {
        return GATEWAY.equals(mode);
    }
}
