package dev.jetway.sim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimClusterTest {

    private static SimOptions options() {
        return SimOptions.defaults("m").withBindHost("127.0.0.1").withProfile("llama-3.1-8b-h100");
    }

    @Test
    void replicasListenOnConsecutivePorts() throws IOException {
        int base;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            base = probe.getLocalPort();
        }
        try (SimCluster cluster = SimCluster.start(options().withPort(base), 3)) {
            assertThat(cluster.replicas()).extracting(SimReplica::httpPort).containsExactly(base, base + 1, base + 2);
            assertThat(new SimClient(cluster.replicas().get(2)).get("/health").statusCode()).isEqualTo(200);
        } catch (IllegalStateException portRace) {
            // Another process took one of the consecutive ports meanwhile; nothing to assert about ours.
            assertThat(portRace).hasMessageContaining("cannot listen on");
        }
    }

    @Test
    void aTakenPortFailsTheStartWithAClearErrorAndReleasesEverything() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> SimCluster.start(options().withPort(taken.getLocalPort()), 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        // Nothing of the failed start lingers: the next cluster starts normally.
        try (SimCluster cluster = SimCluster.start(options().withPort(0), 1)) {
            assertThat(new SimClient(cluster.replicas().getFirst()).get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void badKvEventEndpointFailsTheStart() {
        assertThatThrownBy(() -> SimCluster.start(options().withPort(0).withKvEvents("tcp://127.0.0.1:x"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KV-event endpoint needs a numeric port");
        assertThatThrownBy(() -> SimCluster.start(options().withPort(0).withKvEvents("pigeon://127.0.0.1:0"), 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot bind the KV-event publisher");
    }
}
