package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code peers} in jetway.yaml: the other Jetway replicas behind the same Service, which exchange routing digests
 * over their admin ports so that they route as one (active-active, no leader; docs/operations.md). Off unless given.
 *
 * <pre>
 * peers:
 *   addresses: [10.0.0.7:9090, 10.0.0.8:9090]   # admin ports of the other replicas (its own is skipped)
 *   dns: jetway-peers.llm.svc.cluster.local:9090 # and/or a headless Service: every address it resolves to
 *   interval: 100ms                             # how often each replica sends its digest
 *   timeout: 1s                                 # a peer silent this long is forgotten (its in-flight counts)
 *   publishTimeout: 500ms                       # one send's deadline (llm-d's crossReplica.publishTimeout)
 * </pre>
 *
 * @param addresses      {@code host:port} of peers' admin ports
 * @param dns            {@code name:port}: a name resolved at every interval to the peers' addresses, or null
 * @param interval       time between two digests
 * @param timeout        silence after which a peer's in-flight counts are dropped
 * @param publishTimeout one send's deadline
 */
public record PeerSettings(List<String> addresses, String dns, Duration interval, Duration timeout,
                           Duration publishTimeout) {

    public PeerSettings {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        interval = interval == null ? Duration.ofMillis(100) : interval;
        timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
        publishTimeout = publishTimeout == null ? Duration.ofMillis(500) : publishTimeout;
        for (String a : addresses) {
            try {
                HostPort.parse(a);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("peers.addresses: " + e.getMessage());
            }
        }
        if (dns != null) {
            try {
                HostPort.parse(dns);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("peers.dns: " + e.getMessage());
            }
        }
        if (addresses.isEmpty() && dns == null) {
            throw new IllegalArgumentException("peers needs addresses or dns");
        }
        ConfigChecks.positive("peers.interval", interval);
        ConfigChecks.positive("peers.timeout", timeout);
        ConfigChecks.positive("peers.publishTimeout", publishTimeout);
        if (timeout.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("peers.timeout (" + DurationText.format(timeout)
                    + ") must be longer than peers.interval (" + DurationText.format(interval) + ")");
        }
    }

    /** The static addresses, parsed. */
    public List<HostPort> hostPorts() {
        return addresses.stream().map(HostPort::parse).toList();
    }
}
