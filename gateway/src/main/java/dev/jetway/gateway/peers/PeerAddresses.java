package dev.jetway.gateway.peers;

import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.PeerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers to send to now: the static addresses, and every address the DNS name resolves to (a headless Service
 * lists the ready pods, this replica among them). A name that does not resolve gives no peer this time, never an
 * error that stops the others.
 */
final class PeerAddresses {

    private static final Logger log = LoggerFactory.getLogger(PeerAddresses.class);

    private String lastFailure;

    List<String> resolve(PeerSettings settings) {
        Set<String> out = new LinkedHashSet<>();
        for (HostPort hp : settings.hostPorts()) {
            out.add(hp.toString());
        }
        if (settings.dns() != null) {
            HostPort name = HostPort.parse(settings.dns());
            try {
                for (InetAddress a : InetAddress.getAllByName(name.host())) {
                    out.add(new HostPort(a.getHostAddress(), name.port()).toString());
                }
                lastFailure = null;
            } catch (UnknownHostException e) {
                if (!settings.dns().equals(lastFailure)) {
                    log.warn("peer sync: {} does not resolve (no peers from it until it does)", settings.dns());
                    lastFailure = settings.dns();
                }
            }
        }
        return List.copyOf(out);
    }
}
