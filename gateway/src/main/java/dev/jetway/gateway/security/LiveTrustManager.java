package dev.jetway.gateway.security;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client CA of mutual TLS, replaceable while the server runs (the companion of {@link LiveKeyManager}): every
 * client certificate is checked against the bundle current at its handshake, by the JDK's PKIX validation.
 */
final class LiveTrustManager extends X509ExtendedTrustManager {

    private volatile X509ExtendedTrustManager delegate;

    LiveTrustManager(X509ExtendedTrustManager first) {
        this.delegate = first;
    }

    void replace(X509ExtendedTrustManager next) {
        delegate = next;
    }

    /** The JDK's PKIX trust manager over exactly {@code cas}; throws {@link IllegalArgumentException}. */
    static X509ExtendedTrustManager trusting(X509Certificate[] cas) {
        try {
            if (TrustStores.of(cas) instanceof X509ExtendedTrustManager x) {
                return x;
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the client CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    /** A server's trust manager: it checks clients only. */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a server's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a server's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a server's trust manager checks clients only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
