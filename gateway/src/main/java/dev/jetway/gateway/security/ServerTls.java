package dev.jetway.gateway.security;

import dev.jetway.gateway.config.ServerTlsSettings;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the port clients connect to ({@code server.tls}): the certificate and key (and the client CA for mutual TLS)
 * read from PEM files and re-read when they change, or a self-signed certificate made at start. One load serves two
 * servers: the API port's Netty context ({@link #context}, ALPN {@code h2} and {@code http/1.1}; a new context serves
 * new connections) and the endpoint picker's gRPC server, which takes key and trust managers once and asks them at
 * every handshake ({@link #keyManager}, {@link #trustManager}). Open connections keep what they shook hands with, so a
 * rotation drops nothing. A rotation that does not load (a key that does not match its certificate, half written) is
 * logged and the running certificate kept.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ServerTlsSettings settings;
    private final List<WatchedFile> files = new ArrayList<>();
    /** The certificate and key files; null with {@code selfSigned}. */
    private final WatchedFile cert;
    private final WatchedFile key;
    private final WatchedFile clientCa;
    /** With {@code selfSigned}: the certificate made at start, kept for the process's life. */
    private final TlsIdentity selfSigned;
    private final LiveKeyManager keyManager;
    private final LiveTrustManager trustManager;
    private volatile SslContext context;

    /** What one read of the files gives. */
    private record Loaded(TlsIdentity identity, X509ExtendedTrustManager clientCaTrust, SslContext context) {
    }

    /** Reads the files (or makes the certificate) now; a file that does not load throws (the server does not start). */
    public ServerTls(ServerTlsSettings settings, Path baseDir) {
        this.settings = settings;
        try {
            this.cert = settings.selfSigned() ? null : watch(baseDir.resolve(settings.certFile()));
            this.key = settings.selfSigned() ? null : watch(baseDir.resolve(settings.keyFile()));
            this.clientCa = settings.clientCaFile() == null ? null : watch(baseDir.resolve(settings.clientCaFile()));
            this.selfSigned = settings.selfSigned() ? SelfSignedCertificate.create("jetway") : null;
            Loaded first = load();
            this.keyManager = new LiveKeyManager(first.identity());
            this.trustManager = first.clientCaTrust() == null ? null : new LiveTrustManager(first.clientCaTrust());
            this.context = first.context();
        } catch (RuntimeException e) {
            close();
            throw new IllegalArgumentException("server.tls: " + e.getMessage(), e);
        }
        if (selfSigned != null) {
            log.info("server.tls: serving a self-signed certificate (SHA-256 fingerprint {}, valid until {}); "
                    + "clients must skip verification or pin it", fingerprint(selfSigned.leaf()),
                    selfSigned.leaf().getNotAfter().toInstant());
        }
    }

    private WatchedFile watch(Path path) {
        WatchedFile f = new WatchedFile(path, bytes -> reload());
        files.add(f);
        return f;
    }

    public ServerTlsSettings settings() {
        return settings;
    }

    /** The context new connections of the API port shake hands with. */
    public SslContext context() {
        return context;
    }

    /** The server's certificate and key as each handshake finds them (the endpoint picker's gRPC server). */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    /** The client CA as each handshake finds it, or null without {@code clientCaFile}. */
    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /** The certificate served now (leaf). */
    public X509Certificate certificate() {
        return keyManager.current().leaf();
    }

    private synchronized void reload() {
        try {
            Loaded next = load();
            keyManager.replace(next.identity());
            if (trustManager != null) {
                trustManager.replace(next.clientCaTrust());
            }
            context = next.context();
            log.info("server.tls: loaded the changed {}", cert != null ? "certificate from " + cert.path()
                    : "client CA from " + clientCa.path());
        } catch (RuntimeException e) {
            log.error("server.tls: ignoring the change: {}; keeping the running certificate", e.getMessage());
        }
    }

    private Loaded load() {
        TlsIdentity identity = selfSigned;
        if (identity == null) {
            X509Certificate[] chain = PemFiles.certificates(cert.content(), cert.path().toString());
            PrivateKey privateKey = PemFiles.privateKey(key.content(), key.path().toString());
            PemFiles.checkPair(privateKey, chain[0], key.path().toString());
            identity = new TlsIdentity(privateKey, chain);
        }
        X509Certificate[] cas = clientCa == null ? null
                : PemFiles.certificates(clientCa.content(), clientCa.path().toString());
        return new Loaded(identity, cas == null ? null : LiveTrustManager.trusting(cas), httpContext(identity, cas));
    }

    private SslContext httpContext(TlsIdentity identity, X509Certificate[] cas) {
        SslContextBuilder b = SslContextBuilder.forServer(identity.key(), identity.chain())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        if (cas != null) {
            b.trustManager(cas).clientAuth(settings.clientAuth().equals(ServerTlsSettings.OPTIONAL)
                    ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the certificate's DER, as {@code openssl x509 -fingerprint -sha256} prints it. */
    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        files.forEach(WatchedFile::close);
    }
}
