package dev.jetway.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The client-facing side.
 *
 * @param host         address to bind the API port (loopback by default)
 * @param port         OpenAI API port
 * @param adminPort    {@code /metrics} port (0 = OS-chosen; -1 = no admin server)
 * @param maxBodyBytes larger request bodies get 413
 * @param debugHeader  add the decision record to every response, not only when {@code x-jetway-debug: 1} asks
 * @param clientIdleTimeout a client connection that sends nothing for this long while no request of it is in
 *                     flight is closed (idle keep-alive connections, clients that never finish a request)
 * @param adminHost    address to bind the admin port: loopback by default, whatever {@code host} is; beyond loopback
 *                     it needs {@code security.adminToken}
 * @param tls          TLS on the API port, or null (cleartext HTTP/1.1 and h2c)
 */
public record ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                             java.time.Duration clientIdleTimeout, String adminHost, ServerTlsSettings tls) {

    public static final int DEFAULT_MAX_BODY = 8 * 1024 * 1024;
    public static final String LOOPBACK = "127.0.0.1";

    public ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                          java.time.Duration clientIdleTimeout) {
        this(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, null, null);
    }

    public ServerSettings {
        // loopback unless told: a gateway in front of GPUs must not appear on every interface by accident
        host = host == null ? LOOPBACK : host;
        // the admin port says more than the API (endpoints, load, peers' digests): loopback unless told on its own
        adminHost = adminHost == null || adminHost.isBlank() ? LOOPBACK : adminHost;
        port = port == null ? 8080 : port;
        adminPort = adminPort == null ? 9090 : adminPort;
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY : maxBodyBytes;
        debugHeader = debugHeader != null && debugHeader;
        clientIdleTimeout = clientIdleTimeout == null ? java.time.Duration.ofSeconds(120) : clientIdleTimeout;
        ConfigChecks.positive("server.clientIdleTimeout", clientIdleTimeout);
        ConfigChecks.port("server.port", port);
        if (adminPort != -1) {
            ConfigChecks.port("server.adminPort", adminPort);
        }
        ConfigChecks.positive("server.maxBodyBytes", maxBodyBytes);
    }

    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null, null, null);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                tls);
    }

    public ServerSettings withPorts(int newPort, int newAdminPort) {
        return new ServerSettings(host, newPort, newAdminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                tls);
    }

    public ServerSettings withAdminHost(String newAdminHost) {
        return new ServerSettings(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, newAdminHost,
                tls);
    }

    public ServerSettings withTls(ServerTlsSettings newTls) {
        return new ServerSettings(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                newTls);
    }

    /** True when the admin port is reachable from this machine only. */
    public boolean adminLoopbackOnly() {
        return isLoopback(adminHost);
    }

    /** Whether {@code host} names a loopback address (a name that does not resolve counts as not loopback). */
    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
