package dev.jetway.gateway.config;

/**
 * The client-facing side.
 *
 * @param host         address to bind (all interfaces by default)
 * @param port         OpenAI API port
 * @param adminPort    {@code /metrics} port (0 = OS-chosen; -1 = no admin server)
 * @param maxBodyBytes larger request bodies get 413
 * @param debugHeader  add the decision record to every response, not only when {@code x-jetway-debug: 1} asks
 */
public record ServerSettings(String host, Integer port, Integer adminPort, Integer maxBodyBytes, Boolean debugHeader) {

    public static final int DEFAULT_MAX_BODY = 8 * 1024 * 1024;

    public ServerSettings {
        host = host == null ? "0.0.0.0" : host;
        port = port == null ? 8080 : port;
        adminPort = adminPort == null ? 9090 : adminPort;
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY : maxBodyBytes;
        debugHeader = debugHeader != null && debugHeader;
        ConfigChecks.port("server.port", port);
        if (adminPort != -1) {
            ConfigChecks.port("server.adminPort", adminPort);
        }
        ConfigChecks.positive("server.maxBodyBytes", maxBodyBytes);
    }

    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null, null);
    }

    public ServerSettings withPorts(int newPort, int newAdminPort) {
        return new ServerSettings(host, newPort, newAdminPort, maxBodyBytes, debugHeader);
    }
}
