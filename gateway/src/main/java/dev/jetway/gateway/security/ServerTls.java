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
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the API port ({@code server.tls}): the certificate and key (and the client CA for mutual TLS) read from PEM
 * files and re-read when they change. A new context serves new connections; open ones keep the one they shook hands
 * with, so a rotation drops nothing. A rotation that does not load (a key that does not match its certificate, half
 * written) is logged and the running certificate kept. ALPN offers {@code h2} and {@code http/1.1}.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ServerTlsSettings settings;
    private final List<WatchedFile> files = new ArrayList<>();
    private final WatchedFile cert;
    private final WatchedFile key;
    private final WatchedFile clientCa;
    private volatile SslContext context;

    /** Reads the files now; a file that does not load throws (the gateway does not start). */
    public ServerTls(ServerTlsSettings settings, Path baseDir) {
        this.settings = settings;
        try {
            this.cert = watch(baseDir.resolve(settings.certFile()));
            this.key = watch(baseDir.resolve(settings.keyFile()));
            this.clientCa = settings.clientCaFile() == null ? null : watch(baseDir.resolve(settings.clientCaFile()));
            this.context = build();
        } catch (RuntimeException e) {
            close();
            throw new IllegalArgumentException("server.tls: " + e.getMessage(), e);
        }
    }

    private WatchedFile watch(Path path) {
        WatchedFile f = new WatchedFile(path, bytes -> reload());
        files.add(f);
        return f;
    }

    /** The context new connections shake hands with. */
    public SslContext context() {
        return context;
    }

    private synchronized void reload() {
        try {
            context = build();
            log.info("server.tls: loaded the changed certificate from {}", cert.path());
        } catch (RuntimeException e) {
            log.error("server.tls: ignoring the change: {}; keeping the running certificate", e.getMessage());
        }
    }

    private SslContext build() {
        X509Certificate[] chain = PemFiles.certificates(cert.content(), cert.path().toString());
        PrivateKey privateKey = PemFiles.privateKey(key.content(), key.path().toString());
        PemFiles.checkPair(privateKey, chain[0], key.path().toString());
        SslContextBuilder b = SslContextBuilder.forServer(privateKey, chain)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        if (clientCa != null) {
            b.trustManager(PemFiles.certificates(clientCa.content(), clientCa.path().toString()))
                    .clientAuth(settings.clientAuth().equals(ServerTlsSettings.OPTIONAL) ? ClientAuth.OPTIONAL
                            : ClientAuth.REQUIRE);
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        files.forEach(WatchedFile::close);
    }
}
