package dev.jetway.gateway.config;

import java.util.List;

/**
 * {@code server.tls}: TLS on the port clients connect to: the OpenAI API port of {@code jetway gateway}, the ext_proc
 * port of {@code jetway epp}. The PEM files are re-read when they change (certificate rotation without a restart and
 * without dropping open connections).
 *
 * @param certFile     the server certificate chain (PEM, leaf first), relative to jetway.yaml
 * @param keyFile      its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)
 * @param clientCaFile CA bundle (PEM) that client certificates must chain to (mutual TLS); absent = no client
 *                     certificates asked for
 * @param clientAuth   with {@code clientCaFile}: {@value #REQUIRE} (default; a client without a certificate fails the
 *                     handshake) or {@value #OPTIONAL} (asked for, verified when sent)
 * @param selfSigned   instead of {@code certFile} and {@code keyFile}: a certificate made at start and signed by its
 *                     own key, as GIE's endpoint picker serves without {@code --cert-path}. It encrypts but proves
 *                     nothing: clients must skip verification (Envoy's cluster without a {@code validation_context})
 */
public record ServerTlsSettings(String certFile, String keyFile, String clientCaFile, String clientAuth,
                                Boolean selfSigned) {

    public static final String REQUIRE = "require";
    public static final String OPTIONAL = "optional";
    public static final String NONE = "none";

    public ServerTlsSettings {
        selfSigned = selfSigned != null && selfSigned;
        boolean noFiles = (certFile == null || certFile.isBlank()) && (keyFile == null || keyFile.isBlank());
        if (selfSigned && !noFiles) {
            throw new IllegalArgumentException("server.tls: selfSigned makes its own certificate; leave out certFile "
                    + "and keyFile (or selfSigned)");
        }
        if (!selfSigned && (certFile == null || certFile.isBlank() || keyFile == null || keyFile.isBlank())) {
            throw new IllegalArgumentException("server.tls needs certFile and keyFile (PEM), or selfSigned: true");
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

    /** Certificate and key from files. */
    public ServerTlsSettings(String certFile, String keyFile, String clientCaFile, String clientAuth) {
        this(certFile, keyFile, clientCaFile, clientAuth, null);
    }

    /** A self-signed certificate made at start; {@code clientCaFile} (or null) asks clients for theirs. */
    public static ServerTlsSettings selfSignedCertificate(String clientCaFile) {
        return new ServerTlsSettings(null, null, clientCaFile, null, true);
    }

    /** For start lines and logs: {@code TLS with a self-signed certificate, client certificates required}. */
    public String describe() {
        String tls = selfSigned ? "TLS with a self-signed certificate" : "TLS";
        return switch (clientAuth) {
            case REQUIRE -> tls + ", client certificates required";
            case OPTIONAL -> tls + ", client certificates checked when sent";
            default -> tls;
        };
    }
}
