package dev.jetway.gateway.proxy;

import dev.jetway.gateway.upstream.PoolExhaustedException;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * Why a connection to a model server could not be had, in words for the client's error message. The exception's own
 * text stays in the log: the JDK's and Netty's name internal classes ("sun.security.provider.certpath...").
 */
final class ConnectFailure {

    private ConnectFailure() {
    }

    static String describe(Throwable cause) {
        return switch (cause) {
            case PoolExhaustedException e -> e.getMessage();
            case ConnectTimeoutException e -> "connect timed out";
            case NoRouteToHostException e -> "no route to host";
            case ConnectException e -> "connection refused";
            case UnknownHostException e -> "unknown host";
            case SSLException e -> "TLS handshake failed";
            case null, default -> cause != null && cause.getCause() instanceof SSLException
                    ? "TLS handshake failed" : "connection failed";
        };
    }
}
