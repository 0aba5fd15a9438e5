package dev.jetway.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

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
 * @param drainTimeout on SIGTERM, how long requests in flight may run on before they are stopped (streams with an
 *                     SSE error event)
 * @param maxConnections client connections the API port holds at once (0 = derived from the process's descriptor
 *                     limit); one more is refused at once with a 503
 * @param adminMaxConnections connections the admin port holds at once, its own budget so probes always get in
 * @param maxHeaderBytes a request's headers larger than this get 431
 * @param headerReadTimeout a client must send a request's complete head within this long of its first byte (of
 *                     connecting, for the first request), however slowly the bytes trickle; else 408
 * @param writeStallTimeout a client that reads none of its response for this long has its request cancelled
 *                     upstream and its connection closed
 */
public record ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                             Duration clientIdleTimeout, String adminHost, ServerTlsSettings tls,
                             Duration drainTimeout, Integer maxConnections, Integer adminMaxConnections,
                             Integer maxHeaderBytes, Duration headerReadTimeout, Duration writeStallTimeout) {

    public static final int DEFAULT_MAX_BODY = 8 * 1024 * 1024;
    public static final String LOOPBACK = "127.0.0.1";
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    public ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                          Duration clientIdleTimeout) {
        this(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, null, null);
    }

    public ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                          Duration clientIdleTimeout, String adminHost, ServerTlsSettings tls) {
        this(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost, tls, null, null, null,
                null, null, null);
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
        clientIdleTimeout = clientIdleTimeout == null ? Duration.ofSeconds(120) : clientIdleTimeout;
        drainTimeout = drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout;
        maxConnections = maxConnections == null ? 0 : maxConnections;
        adminMaxConnections = adminMaxConnections == null ? 64 : adminMaxConnections;
        maxHeaderBytes = maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : maxHeaderBytes;
        headerReadTimeout = headerReadTimeout == null ? Duration.ofSeconds(10) : headerReadTimeout;
        writeStallTimeout = writeStallTimeout == null ? Duration.ofSeconds(30) : writeStallTimeout;
        ConfigChecks.positive("server.clientIdleTimeout", clientIdleTimeout);
        ConfigChecks.port("server.port", port);
        if (adminPort != -1) {
            ConfigChecks.port("server.adminPort", adminPort);
        }
        ConfigChecks.positive("server.maxBodyBytes", maxBodyBytes);
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("server.drainTimeout must not be negative, got " + drainTimeout);
        }
        ConfigChecks.nonNegative("server.maxConnections", maxConnections);
        ConfigChecks.positive("server.adminMaxConnections", adminMaxConnections);
        if (maxHeaderBytes < 1024) {
            // below this even an ordinary client's head (host, user agent, content type, auth) would be refused
            throw new IllegalArgumentException("server.maxHeaderBytes must be at least 1024, got " + maxHeaderBytes);
        }
        ConfigChecks.positive("server.headerReadTimeout", headerReadTimeout);
        ConfigChecks.positive("server.writeStallTimeout", writeStallTimeout);
    }

    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null, null, null);
    }

    /** The settings a command line gives, everything else default. */
    public static ServerSettings of(String host, int port, int adminPort) {
        return defaults().withHost(host).withPorts(port, adminPort);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                tls, drainTimeout, maxConnections, adminMaxConnections, maxHeaderBytes, headerReadTimeout,
                writeStallTimeout);
    }

    public ServerSettings withPorts(int newPort, int newAdminPort) {
        return new ServerSettings(host, newPort, newAdminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                tls, drainTimeout, maxConnections, adminMaxConnections, maxHeaderBytes, headerReadTimeout,
                writeStallTimeout);
    }

    public ServerSettings withAdminHost(String newAdminHost) {
        return new ServerSettings(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, newAdminHost,
                tls, drainTimeout, maxConnections, adminMaxConnections, maxHeaderBytes, headerReadTimeout,
                writeStallTimeout);
    }

    public ServerSettings withTls(ServerTlsSettings newTls) {
        return new ServerSettings(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                newTls, drainTimeout, maxConnections, adminMaxConnections, maxHeaderBytes, headerReadTimeout,
                writeStallTimeout);
    }

    public ServerSettings withDrainTimeout(Duration newDrainTimeout) {
        return new ServerSettings(host, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout, adminHost,
                tls, newDrainTimeout, maxConnections, adminMaxConnections, maxHeaderBytes, headerReadTimeout,
                writeStallTimeout);
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
