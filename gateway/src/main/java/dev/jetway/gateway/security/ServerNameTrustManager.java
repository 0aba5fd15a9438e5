package dev.jetway.gateway.security;

import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Checks a model server's certificate: its chain against the pool's CA bundle, and its names (subject alternative
 * names, RFC 6125: DNS names with a left-most wildcard, IP addresses) against the pool's {@code serverName}, or else
 * the host connected to. One check for every client of the pool (requests through Netty, scrapes and tokenizer calls
 * through the JDK's HTTP client), whatever each would otherwise verify: endpoints are usually pod IPs that the
 * certificate does not name, and {@code serverName} is what it does.
 */
final class ServerNameTrustManager extends X509ExtendedTrustManager {

    private final X509TrustManager chains;
    private final String serverName;

    /** @param serverName the name the certificate must carry, or null for the host connected to */
    ServerNameTrustManager(X509TrustManager chains, String serverName) {
        this.chains = chains;
        this.serverName = serverName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, authType, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        String host = socket instanceof SSLSocket s && s.getHandshakeSession() != null
                ? s.getHandshakeSession().getPeerHost() : null;
        check(chain, authType, host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType, null);
    }

    private void check(X509Certificate[] chain, String authType, String host) throws CertificateException {
        chains.checkServerTrusted(chain, authType);
        String expected = serverName != null ? serverName : host;
        if (expected == null) {
            throw new CertificateException("no server name to check the certificate against");
        }
        if (!names(chain[0], expected)) {
            throw new CertificateException("the model server's certificate does not name " + expected);
        }
    }

    /** Whether {@code cert}'s subject alternative names include {@code name}. */
    static boolean names(X509Certificate cert, String name) throws CertificateParsingException {
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans == null) {
            return false;
        }
        boolean ip = isIpLiteral(name);
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = (String) san.get(1);
            if (ip && type == 7 && sameAddress(value, name)) {
                return true;
            }
            if (!ip && type == 2 && dnsMatches(value.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String pattern, String host) {
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1)) && pattern.indexOf('.', 2) > 0;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static boolean sameAddress(String a, String b) {
        try {
            // literals only: getByName does not resolve them
            return InetAddress.getByName(a).equals(InetAddress.getByName(b.replace("[", "").replace("]", "")));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("the gateway is the client here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("the gateway is the client here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the gateway is the client here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chains.getAcceptedIssuers();
    }
}
