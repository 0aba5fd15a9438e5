package dev.jetway.gateway.config;

import java.util.List;

/**
 * {@code server.tls}: TLS on the OpenAI API port. The PEM files are re-read when they change (certificate rotation
 * without a restart and without dropping open connections).
 *
 * @param certFile     the server certificate chain (PEM, leaf first), relative to jetway.yaml
 * @param keyFile      its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)
 * @param clientCaFile CA bundle (PEM) that client certificates must chain to (mutual TLS); absent = no client
 *                     certificates asked for
 * @param clientAuth   with {@code clientCaFile}: {@value #REQUIRE} (default; a client without a certificate fails the
 *                     handshake) or {@value #OPTIONAL} (asked for, verified when sent)
 */
public record ServerTlsSettings(String certFile, String keyFile, String clientCaFile, String clientAuth) {

    public static final String REQUIRE = "require";
    public static final String OPTIONAL = "optional";
    public static final String NONE = "none";

    public ServerTlsSettings {
        if (certFile == null || certFile.isBlank() || keyFile == null || keyFile.isBlank()) {
            throw new IllegalArgumentException("server.tls needs certFile and keyFile (PEM)");
        }
        if (clientAuth == null) {
            clientAuth = clientCaFile == null ? NONE : REQUIRE;
        }
        if (!List.of(REQUIRE, OPTIONAL, NONE).contains(clientAuth)) {
            throw new IllegalArgumentException("server.tls.clientAuth must be require, optional or none, got "
                    + clientAuth);
        }
        if (clientCaFile == null && !clientAuth.equals(NONE)) {
            throw new IllegalArgumentException("server.tls.clientAuth " + clientAuth + " needs clientCaFile (the CA "
                    + "client certificates must chain to)");
        }
    }
}
