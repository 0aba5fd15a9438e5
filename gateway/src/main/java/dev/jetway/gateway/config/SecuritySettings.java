package dev.jetway.gateway.config;

/**
 * {@code security} in jetway.yaml: who may call the gateway, and what responses tell them (docs/security.md).
 *
 * <pre>
 * security:
 *   apiKeys: {file: keys.yaml}          # or {secret: {name: jetway-api-keys, key: keys.yaml}}
 *   adminToken: {file: admin-token}     # or {secret: {name: jetway-admin, key: token}}
 *   debugRequests: false
 *   endpointHeader: true
 * </pre>
 *
 * @param apiKeys        the API keys (SHA-256 digests with tenant and models); absent = no authentication
 * @param adminToken     the bearer token of the admin port (and of {@code x-jetway-debug} on the API port); needed when
 *                       the admin port listens beyond loopback
 * @param debugRequests  honour {@code x-jetway-debug: 1} from any client; without it only a request that also carries
 *                       the admin token ({@code x-jetway-admin-token}) gets the decision record
 * @param endpointHeader name the endpoint that served a request in {@code x-jetway-endpoint}
 */
public record SecuritySettings(CredentialSource apiKeys, CredentialSource adminToken, Boolean debugRequests,
                               Boolean endpointHeader) {

    public static final String DEFAULT_KEYS_KEY = "keys.yaml";
    public static final String DEFAULT_TOKEN_KEY = "token";

    public SecuritySettings {
        if (apiKeys != null) {
            apiKeys.check("security.apiKeys");
            if (apiKeys.secret() != null) {
                apiKeys = new CredentialSource(null, apiKeys.secret().withDefaultKey(DEFAULT_KEYS_KEY));
            }
        }
        if (adminToken != null) {
            adminToken.check("security.adminToken");
            if (adminToken.secret() != null) {
                adminToken = new CredentialSource(null, adminToken.secret().withDefaultKey(DEFAULT_TOKEN_KEY));
            }
        }
        debugRequests = debugRequests != null && debugRequests;
        endpointHeader = endpointHeader == null || endpointHeader;
    }

    public static SecuritySettings defaults() {
        return new SecuritySettings(null, null, null, null);
    }

    /** True when some credential is read from a Kubernetes Secret. */
    public boolean usesKubernetes() {
        return (apiKeys != null && apiKeys.secret() != null) || (adminToken != null && adminToken.secret() != null);
    }

    public SecuritySettings withApiKeys(CredentialSource source) {
        return new SecuritySettings(source, adminToken, debugRequests, endpointHeader);
    }

    public SecuritySettings withAdminToken(CredentialSource source) {
        return new SecuritySettings(apiKeys, source, debugRequests, endpointHeader);
    }
}
