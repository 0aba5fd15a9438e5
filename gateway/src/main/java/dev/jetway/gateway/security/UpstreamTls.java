package dev.jetway.gateway.security;

import dev.jetway.gateway.config.PoolTlsSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * TLS to one pool's model servers ({@code pools[].tls}): the CA bundle to trust, the server name to send (SNI) and
 * require in the certificate, and an optional client certificate. Built with the JDK's provider so that the same
 * context serves Netty's connections and the JDK HTTP client (scrapes, {@code /tokenize}). Read when the pool is
 * configured (a reload of jetway.yaml re-reads the files).
 *
 * @param serverName the name sent as SNI and checked, or null for the endpoint's host
 */
public record UpstreamTls(SslContext netty, SSLContext jdk, String serverName) {

    public static UpstreamTls of(PoolTlsSettings settings, Path baseDir, String pool) {
        String where = "pool " + pool + " tls";
        try {
            X509TrustManager chains = TrustStores.of(settings.caFile() == null ? null
                    : PemFiles.certificates(WatchedFile.read(baseDir.resolve(settings.caFile())), settings.caFile()));
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(new ServerNameTrustManager(chains, settings.serverName()));
            if (settings.certFile() != null) {
                var chain = PemFiles.certificates(WatchedFile.read(baseDir.resolve(settings.certFile())),
                        settings.certFile());
                var key = PemFiles.privateKey(WatchedFile.read(baseDir.resolve(settings.keyFile())), settings.keyFile());
                PemFiles.checkPair(key, chain[0], settings.keyFile());
                b.keyManager(key, chain);
            }
            SslContext netty = b.build();
            return new UpstreamTls(netty, ((JdkSslContext) netty).context(), settings.serverName());
        } catch (IllegalArgumentException | SSLException | GeneralSecurityException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** A handler for a connection to {@code host:port}: SNI is the server name when one is set, else the host. */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        SSLEngine engine = netty.newEngine(alloc, serverName != null ? serverName : host, port);
        SSLParameters p = engine.getSSLParameters();
        if (serverName != null) {
            p.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(serverName)));
        }
        engine.setSSLParameters(p);
        return new SslHandler(engine);
    }
}
