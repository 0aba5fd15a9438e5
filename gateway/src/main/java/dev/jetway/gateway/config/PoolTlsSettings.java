package dev.jetway.gateway.config;

/**
 * {@code pools[].tls}: the pool's model servers speak HTTPS. Requests, metric scrapes and engine-tokenizer calls
 * then go over TLS, and the server's certificate must chain to {@code caFile} and name {@code serverName}.
 *
 * @param caFile     CA bundle (PEM) the model servers' certificates chain to, relative to jetway.yaml; absent = the
 *                   JDK's default trust store
 * @param serverName the name sent as SNI and required in the certificate; absent = the endpoint's host (pod IPs
 *                   rarely are in a certificate: set this to the name the certificate carries)
 * @param certFile   client certificate (PEM) for model servers that require one
 * @param keyFile    its private key (PEM)
 */
public record PoolTlsSettings(String caFile, String serverName, String certFile, String keyFile) {

    public PoolTlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("pools[].tls: certFile and keyFile go together (a client certificate "
                    + "and its key)");
        }
        serverName = serverName == null || serverName.isBlank() ? null : serverName;
    }
}
