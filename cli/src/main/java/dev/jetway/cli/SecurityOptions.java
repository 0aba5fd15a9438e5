package dev.jetway.cli;

import dev.jetway.gateway.config.CredentialSource;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.ServerTlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The command line's security flags, over jetway.yaml's {@code security} and {@code server.tls} / {@code adminHost}
 * (docs/security.md), for {@code jetway gateway} and {@code jetway epp}. Files named here are relative to the working
 * directory.
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

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain for TLS on the port "
            + "clients connect to (the API port; jetway epp: the ext_proc port), with --tls-key; overrides "
            + "server.tls. Re-read when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "PEM CA bundle: clients must present a "
            + "certificate it signed (mutual TLS).")
    Path tlsClientCa;

    /** {@code c} with what the flags say. */
    GatewayConfig apply(GatewayConfig c) {
        return apply(c, null, null);
    }

    /**
     * {@code c} with what the flags say, and {@code jetway epp}'s flags in GIE's words for the TLS of its port.
     *
     * @param certDir a directory holding {@code tls.crt} and {@code tls.key} (a mounted Kubernetes TLS Secret;
     *                GIE's {@code --cert-path}), instead of {@code --tls-cert} and {@code --tls-key}; or null
     * @param secure  GIE's {@code --secure-serving}: false turns TLS off; true turns it on, with a self-signed
     *                certificate when neither the flags nor {@code server.tls} name one; null: as they say
     */
    GatewayConfig apply(GatewayConfig c, Path certDir, Boolean secure) {
        var security = c.security();
        if (apiKeys != null) {
            security = security.withApiKeys(new CredentialSource(abs(apiKeys), null));
        }
        if (adminToken != null) {
            security = security.withAdminToken(new CredentialSource(abs(adminToken), null));
        }
        GatewayConfig out = c.withSecurity(security);
        var server = out.server().withTls(tls(out.server().tls(), certDir, secure));
        if (adminHost != null) {
            server = server.withAdminHost(adminHost);
        }
        return out.withServer(server);
    }

    private ServerTlsSettings tls(ServerTlsSettings configured, Path certDir, Boolean secure) {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (certDir != null && tlsCert != null) {
            throw new IllegalArgumentException("--cert-path and --tls-cert name the certificate twice: give one");
        }
        Path cert = certDir != null ? certDir.resolve("tls.crt") : tlsCert;
        Path key = certDir != null ? certDir.resolve("tls.key") : tlsKey;
        String clientCa = tlsClientCa == null ? null : abs(tlsClientCa);
        if (Boolean.FALSE.equals(secure)) {
            if (cert != null || clientCa != null) {
                throw new IllegalArgumentException("--secure-serving=false serves plaintext: leave out --cert-path, "
                        + "--tls-cert, --tls-key and --tls-client-ca");
            }
            return null;
        }
        if (cert != null) {
            return new ServerTlsSettings(abs(cert), abs(key), clientCa, null);
        }
        if (configured == null && Boolean.TRUE.equals(secure)) {
            return ServerTlsSettings.selfSignedCertificate(clientCa);
        }
        if (clientCa == null) {
            return configured;
        }
        if (configured == null) {
            throw new IllegalArgumentException("--tls-client-ca needs TLS: --tls-cert and --tls-key, or server.tls "
                    + "(jetway epp: also --cert-path or --secure-serving)");
        }
        // the file's certificate, the command line's client CA
        return new ServerTlsSettings(configured.certFile(), configured.keyFile(), clientCa, null,
                configured.selfSigned());
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().toString();
    }
}
