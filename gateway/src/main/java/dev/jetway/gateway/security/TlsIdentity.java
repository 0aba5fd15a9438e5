package dev.jetway.gateway.security;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * What a TLS server presents: its certificate chain (leaf first) and the leaf's private key.
 *
 * @param key   the leaf certificate's private key
 * @param chain the certificate chain, leaf first
 */
record TlsIdentity(PrivateKey key, X509Certificate[] chain) {

    X509Certificate leaf() {
        return chain[0];
    }
}
