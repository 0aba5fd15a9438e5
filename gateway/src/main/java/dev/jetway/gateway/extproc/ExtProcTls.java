package dev.jetway.gateway.extproc;

import dev.jetway.gateway.config.ServerTlsSettings;
import dev.jetway.gateway.security.ServerTls;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;

/**
 * The ext_proc port's TLS ({@code server.tls} in endpoint-picker mode) as gRPC server credentials. gRPC builds its
 * own TLS context (ALPN {@code h2}, shaded Netty) once, from key and trust managers; {@link ServerTls}'s managers
 * answer each handshake with the certificate and client CA current then, so a rotation reaches the next connection
 * Envoy opens while the streams already open carry on.
 */
final class ExtProcTls {

    private ExtProcTls() {
    }

    static ServerCredentials credentials(ServerTls tls) {
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(tls.keyManager());
        if (tls.trustManager() != null) {
            b.trustManager(tls.trustManager()).clientAuth(tls.settings().clientAuth()
                    .equals(ServerTlsSettings.OPTIONAL) ? TlsServerCredentials.ClientAuth.OPTIONAL
                    : TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }
}
