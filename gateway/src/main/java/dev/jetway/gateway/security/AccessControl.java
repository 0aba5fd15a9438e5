package dev.jetway.gateway.security;

import dev.jetway.gateway.config.CredentialSource;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.SecuritySettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import dev.jetway.gateway.config.PoolConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Who may call the gateway: the API keys and the admin token of {@code security}, each kept current from its file or
 * Secret (rotation without a restart), and what responses may reveal. Shared by the API port's request path, the admin
 * port and the peer exchange; a reload of jetway.yaml that names other sources switches to them.
 */
public final class AccessControl implements AutoCloseable {

    private final Function<GatewayConfig, KubernetesClient> connect;
    private KubernetesClient client;
    private volatile LiveSecret<ApiKeys> apiKeys;
    private volatile LiveSecret<AdminToken> adminToken;
    private volatile SecuritySettings settings;
    /** Per pool with {@code upstreamAuth.apiKeyFile}: the key its model servers get. */
    private volatile Map<String, LiveSecret<String>> upstreamKeys = Map.of();
    private Path baseDir;
    private GatewayConfig config;

    /**
     * @param connect the Kubernetes API for credentials in Secrets (called once, only when a Secret is named)
     * @throws IllegalArgumentException a credential file that does not load
     */
    public AccessControl(GatewayConfig config, Function<GatewayConfig, KubernetesClient> connect) {
        this.connect = connect;
        apply(config);
    }

    /** No credentials at all (tests, tools). */
    public static AccessControl none(GatewayConfig config) {
        return new AccessControl(config.withSecurity(SecuritySettings.defaults()), c -> {
            throw new IllegalStateException("no Kubernetes here");
        });
    }

    /**
     * Takes the security settings of {@code next}: sources that stay keep their state; a new file that does not load
     * throws and nothing changes.
     */
    public synchronized void apply(GatewayConfig next) {
        SecuritySettings s = next.security();
        boolean sameDir = next.baseDir().equals(baseDir);
        config = next;
        LiveSecret<ApiKeys> keys = reuse(apiKeys, s.apiKeys(), sameDir);
        LiveSecret<AdminToken> token = reuse(adminToken, s.adminToken(), sameDir);
        if (keys == null && s.apiKeys() != null) {
            keys = open(s.apiKeys(), "security.apiKeys", b -> ApiKeys.parse(b, describe(s.apiKeys())), next);
        }
        if (token == null && s.adminToken() != null) {
            try {
                token = open(s.adminToken(), "security.adminToken", AdminToken::parse, next);
            } catch (RuntimeException e) {
                if (keys != apiKeys && keys != null) {
                    keys.close();
                }
                throw e;
            }
        }
        Map<String, LiveSecret<String>> poolKeys;
        try {
            poolKeys = upstreamKeys(next, sameDir);
        } catch (RuntimeException e) {
            if (keys != apiKeys && keys != null) {
                keys.close();
            }
            if (token != adminToken && token != null) {
                token.close();
            }
            throw e;
        }
        for (var e : upstreamKeys.entrySet()) {
            if (poolKeys.get(e.getKey()) != e.getValue()) {
                e.getValue().close();
            }
        }
        upstreamKeys = poolKeys;
        if (apiKeys != null && apiKeys != keys) {
            apiKeys.close();
        }
        if (adminToken != null && adminToken != token) {
            adminToken.close();
        }
        apiKeys = keys;
        adminToken = token;
        settings = s;
        baseDir = next.baseDir();
    }

    /** The pools' upstream keys for {@code next}: the running ones that stay, new files read now. */
    private Map<String, LiveSecret<String>> upstreamKeys(GatewayConfig next, boolean sameDir) {
        Map<String, LiveSecret<String>> out = new HashMap<>();
        try {
            for (PoolConfig p : next.pools()) {
                String file = p.upstreamAuth().apiKeyFile();
                if (file == null) {
                    continue;
                }
                CredentialSource source = new CredentialSource(file, null);
                LiveSecret<String> kept = reuse(upstreamKeys.get(p.name()), source, sameDir);
                out.put(p.name(), kept != null ? kept : new LiveSecret<>(source,
                        "pool " + p.name() + " upstreamAuth.apiKeyFile", AccessControl::upstreamKey, next.baseDir(),
                        null, this::client));
            }
        } catch (RuntimeException e) {
            out.forEach((pool, key) -> {
                if (upstreamKeys.get(pool) != key) {
                    key.close();
                }
            });
            throw e;
        }
        return out;
    }

    private static String upstreamKey(byte[] content) {
        String key = new String(content, StandardCharsets.UTF_8).strip();
        if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("the key must be one line of printable ASCII without spaces");
        }
        return key;
    }

    /** The key {@code pool}'s model servers get in {@code Authorization}, or null. */
    public String upstreamKey(String pool) {
        LiveSecret<String> k = upstreamKeys.get(pool);
        return k == null ? null : k.current();
    }

    /**
     * Whether a request asking for the decision record ({@code x-jetway-debug: 1}) gets it: with
     * {@code security.debugRequests}, or when it carries the admin token.
     */
    public boolean debugAllowed(String debugHeader, String adminTokenHeader) {
        if (!"1".equals(debugHeader)) {
            return false;
        }
        if (settings.debugRequests()) {
            return true;
        }
        AdminToken t = adminToken();
        return t != null && t.matches(adminTokenHeader);
    }

    private static String describe(CredentialSource source) {
        return source.file() != null ? source.file() : "Secret " + source.secret().name() + " key "
                + source.secret().key();
    }

    private static <T> LiveSecret<T> reuse(LiveSecret<T> running, CredentialSource wanted, boolean sameDir) {
        return running != null && sameDir && Objects.equals(running.source(), wanted) ? running : null;
    }

    private <T> LiveSecret<T> open(CredentialSource source, String what, Function<byte[], T> parse,
                                   GatewayConfig next) {
        return new LiveSecret<>(source, what, parse, next.baseDir(), namespace(next), this::client);
    }

    private String namespace(GatewayConfig next) {
        return next.kubernetes().namespace() != null ? next.kubernetes().namespace() : null;
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            client = connect.apply(config);
        }
        return client;
    }

    /** True when requests need an API key. */
    public boolean authenticating() {
        return apiKeys != null;
    }

    /** The keys now, or null: none configured, or (a Secret) not loaded yet. */
    public ApiKeys apiKeys() {
        LiveSecret<ApiKeys> k = apiKeys;
        return k == null ? null : k.current();
    }

    /** The admin token, or null: none configured, or not loaded yet. */
    public AdminToken adminToken() {
        LiveSecret<AdminToken> t = adminToken;
        return t == null ? null : t.current();
    }

    /** True when an admin token is configured (loaded or not). */
    public boolean adminTokenConfigured() {
        return adminToken != null;
    }

    public SecuritySettings settings() {
        return settings;
    }

    /** Null once every credential has loaded; else what is awaited (a readiness gate). */
    public String waitingFor() {
        LiveSecret<ApiKeys> k = apiKeys;
        String w = k == null ? null : k.waitingFor();
        if (w != null) {
            return w;
        }
        LiveSecret<AdminToken> t = adminToken;
        return t == null ? null : t.waitingFor();
    }

    @Override
    public synchronized void close() {
        if (apiKeys != null) {
            apiKeys.close();
        }
        if (adminToken != null) {
            adminToken.close();
        }
        upstreamKeys.values().forEach(LiveSecret::close);
        if (client != null) {
            client.close();
        }
    }
}
