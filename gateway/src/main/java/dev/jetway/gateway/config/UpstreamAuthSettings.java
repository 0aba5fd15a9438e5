package dev.jetway.gateway.config;

import java.util.List;

/**
 * {@code pools[].upstreamAuth}: which credential the pool's model servers see in {@code Authorization}.
 *
 * @param clientAuthorization {@value #STRIP} (default: the client's key is the gateway's business, never the model
 *                            server's) or {@value #FORWARD} (model servers check the clients' keys themselves)
 * @param apiKeyFile          the pool's own key (e.g. vLLM's {@code --api-key}), sent as {@code Authorization: Bearer};
 *                            a file relative to jetway.yaml holding the key, re-read when it changes
 */
public record UpstreamAuthSettings(String clientAuthorization, String apiKeyFile) {

    public static final String STRIP = "strip";
    public static final String FORWARD = "forward";

    public UpstreamAuthSettings {
        clientAuthorization = clientAuthorization == null ? STRIP : clientAuthorization;
        if (!List.of(STRIP, FORWARD).contains(clientAuthorization)) {
            throw new IllegalArgumentException("upstreamAuth.clientAuthorization must be strip or forward, got "
                    + clientAuthorization);
        }
        apiKeyFile = apiKeyFile == null || apiKeyFile.isBlank() ? null : apiKeyFile;
        if (clientAuthorization.equals(FORWARD) && apiKeyFile != null) {
            throw new IllegalArgumentException("upstreamAuth: clientAuthorization forward and apiKeyFile both say what "
                    + "goes in Authorization; keep one");
        }
    }

    public static UpstreamAuthSettings defaults() {
        return new UpstreamAuthSettings(null, null);
    }

    public boolean forwardsClientKey() {
        return clientAuthorization.equals(FORWARD);
    }
}
