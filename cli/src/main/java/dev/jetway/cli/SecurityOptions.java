package dev.jetway.cli;

import dev.jetway.gateway.config.CredentialSource;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.ServerTlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The command line's security flags, over jetway.yaml's {@code security} and {@code server.tls} / {@code adminHost}
 * (docs/security.md). Files named here are relative to the working directory.
 */
final class SecurityOptions {

    @Option(names = "--api-keys", paramLabel = "FILE", description = "API keys file (SHA-256 digests with tenant and "
            + "models; `jetway keys generate` makes entries); requests then need Authorization: Bearer KEY. "
            + "Re-read when it changes (overrides security.apiKeys).")
    Path apiKeys;

    @Option(names = "--admin-host", paramLabel = "HOST", description = "Address the admin port binds (overrides "
            + "server.adminHost; default 127.0.0.1). Beyond loopback it needs --admin-token-file.")
    String adminHost;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "Bearer token the admin port asks "
            + "for (overrides security.adminToken).")
    Path adminToken;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain for TLS on the API port "
            + "(with --tls-key; overrides server.tls). Re-read when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "PEM CA bundle: clients must present a "
            + "certificate it signed (mutual TLS).")
    Path tlsClientCa;

    /** {@code c} with what the flags say. */
    GatewayConfig apply(GatewayConfig c) {
        var security = c.security();
        if (apiKeys != null) {
            security = security.withApiKeys(new CredentialSource(abs(apiKeys), null));
        }
        if (adminToken != null) {
            security = security.withAdminToken(new CredentialSource(abs(adminToken), null));
        }
        GatewayConfig out = c.withSecurity(security);
        var server = out.server();
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (tlsCert != null) {
            server = server.withTls(new ServerTlsSettings(abs(tlsCert), abs(tlsKey),
                    tlsClientCa == null ? null : abs(tlsClientCa), null));
        } else if (tlsClientCa != null) {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
        }
        if (adminHost != null) {
            server = server.withAdminHost(adminHost);
        }
        return out.withServer(server);
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().toString();
    }
}
