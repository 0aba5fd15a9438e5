package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command that binds a port says which one is taken and which flag chooses another; no stack trace. */
class BusyPortTest {

    @Test
    void upNamesTheTakenPortAndItsFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = CliRun.of("up", "--port", "0", "--admin-port", Integer.toString(port), "--replicas", "1",
                    "--profile", "llama-3.1-8b-h100", "--config", "round-robin");
            assertThat(r.exitCode()).isEqualTo(1);
            // the old flag name still works, and says what it is now
            assertThat(r.err()).contains("--config is now --epp-config");
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + port + ": the port is already in use; "
                    + "choose another with --admin-port N").doesNotContain("\tat ");
        }
    }

    @Test
    void gatewayNamesTheTakenPortAndItsFlag(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path file = dir.resolve("jetway.yaml");
            Files.writeString(file, "server: {host: 127.0.0.1, port: " + port + ", adminPort: 0}\n"
                    + "pools: [{name: p, models: [m], endpoints: [{address: 127.0.0.1:9}]}]\n");
            CliRun r = CliRun.of("gateway", "--config", file.toString());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + port + ": the port is already in use; "
                    + "choose another with --port (or server.port) N").doesNotContain("\tat ");
        }
    }

    @Test
    void simNamesTheTakenPortAndItsFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = CliRun.of("sim", "--model", "m", "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--profile", "llama-3.1-8b-h100");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + port + ": the port is already in use; "
                    + "choose another with --port N").doesNotContain("\tat ");
        }
    }

    @Test
    void simNamesTheTakenKvEventPortAndItsFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = CliRun.of("sim", "--model", "m", "--port", "0", "--kv-events", "tcp://127.0.0.1:" + port,
                    "--profile", "llama-3.1-8b-h100");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("jetway sim: cannot bind the KV-event publisher to tcp://127.0.0.1:" + port
                    + ": the port is already in use; choose another with --kv-events\n");
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = CliRun.of("sim", "--model", "m", "--port", "0", "--kv-events", "tcp://127.0.0.1:0",
                    "--kv-events-replay", "tcp://127.0.0.1:" + port, "--profile", "llama-3.1-8b-h100");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("cannot bind the KV-event replay socket to tcp://127.0.0.1:" + port
                    + ": the port is already in use; choose another with --kv-events-replay").doesNotContain("\tat ");
        }
    }
}
