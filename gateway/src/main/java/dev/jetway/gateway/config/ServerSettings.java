package dev.jetway.gateway.config;

/**
 * The client-facing side.
 *
 * @param host         address to bind (all interfaces by default)
 * @param port         OpenAI API port
 * @param adminPort    {@code /metrics} port (0 = OS-chosen; -1 = no admin server)
 * @param maxBodyBytes larger request bodies get 413
 * @param debugHeader  add the decision record to every response, not only when {@code x-jetway-debug: 1} asks
 * @param clientIdleTimeout a client connection that sends nothing for this long while no request of it is in
 *                     flight is closed (idle keep-alive connections, clients that never finish a request)
 */
public record ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader,
                             java.time.Duration clientIdleTimeout) {

    public static final int DEFAULT_MAX_BODY = 8 * 1024 * 1024;

    public ServerSettings {
        // loopback unless told: a gateway in front of GPUs must not appear on every interface by accident
        host = host == null ? "127.0.0.1" : host;
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
        return new ServerSettings(newHost, port, adminPort, maxBodyBytes, debugHeader, clientIdleTimeout);
    }

    public ServerSettings withPorts(int newPort, int newAdminPort) {
        return new ServerSettings(host, newPort, newAdminPort, maxBodyBytes, debugHeader, clientIdleTimeout);
    }
}
