package dev.jetway.gateway.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager whose certificate can be replaced while it serves: each handshake asks it for the identity
 * current then, so a rotation reaches the next connection without rebuilding the TLS server (gRPC's takes its key
 * managers once, at start). Each identity gets an alias of its own, and the one before stays answerable, so a
 * handshake that chose an alias just before a rotation still gets that certificate's chain and key together.
 */
final class LiveKeyManager extends X509ExtendedKeyManager {

    private record Entry(String alias, TlsIdentity identity) {
    }

    private volatile Entry current;
    private volatile Entry previous;
    private long generation;

    LiveKeyManager(TlsIdentity first) {
        this.current = new Entry("jetway-0", first);
    }

    synchronized void replace(TlsIdentity next) {
        previous = current;
        current = new Entry("jetway-" + ++generation, next);
    }

    TlsIdentity current() {
        return current.identity();
    }

    private String alias(String keyType) {
        Entry e = current;
        return keyType == null || fits(e.identity().key(), keyType) ? e.alias() : null;
    }

    /** TLS asks by key type ({@code RSA}, {@code EC}, {@code EdDSA}; TLS 1.2 also {@code EC_EC}, {@code EC_RSA}). */
    private static boolean fits(PrivateKey key, String keyType) {
        String algorithm = key.getAlgorithm();
        if (algorithm.equals("Ed25519") || algorithm.equals("Ed448")) {
            algorithm = "EdDSA";
        }
        return keyType.equals(algorithm) || keyType.startsWith(algorithm + "_");
    }

    private TlsIdentity find(String alias) {
        Entry e = current;
        if (e.alias().equals(alias)) {
            return e.identity();
        }
        Entry p = previous;
        return p != null && p.alias().equals(alias) ? p.identity() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = alias(keyType);
        return a == null ? null : new String[] {a};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsIdentity i = find(alias);
        return i == null ? null : i.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsIdentity i = find(alias);
        return i == null ? null : i.key();
    }

    /** A server's key manager: it never acts as a client. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
