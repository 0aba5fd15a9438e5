package dev.jetway.gateway.security;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The JDK's PKIX trust manager over a set of CA certificates: one home for the model servers' and the clients' CAs. */
final class TrustStores {

    private TrustStores() {
    }

    /** Trusting exactly {@code cas}, or the JDK's default trust store when null. */
    static X509TrustManager of(X509Certificate[] cas) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (cas == null) {
            tmf.init((KeyStore) null); // the JDK's default trust store
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                store.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            for (int i = 0; i < cas.length; i++) {
                store.setCertificateEntry("ca" + i, cas[i]);
            }
            tmf.init(store);
        }
        for (var tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
