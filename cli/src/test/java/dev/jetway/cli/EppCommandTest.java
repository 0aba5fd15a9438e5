package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jetway epp}: its help, and configurations or ports it cannot start with, each failing with a clear line. */
class EppCommandTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void helpDescribesTheCommandAndItsPorts() {
        CliRun r = CliRun.of("epp", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: jetway epp", "--config", "--port", "default: 9002", "--health-port",
                "--admin-port", "x-gateway-destination-endpoint", "--verbose");
        assertThat(CliRun.of("--help").out()).contains("epp");
    }

    @Test
    void aConfigIsRequired() {
        CliRun r = CliRun.of("epp");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void aMissingFileFailsNamingIt() {
        CliRun r = CliRun.of("epp", "--config", dir.resolve("nope.yaml").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: ").contains("nope.yaml");
    }

    @Test
    void aMalformedConfigFailsWithTheLoadersMessage() throws Exception {
        Path file = write("pools:\n  - name: p\n    endpoints:\n      - {address: \"no-port\"}\n");
        CliRun r = CliRun.of("epp", "--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: ").contains("host:port");
    }

    @Test
    void anUnknownPolicyCannotStart() throws Exception {
        Path file = write("server: {host: 127.0.0.1, adminPort: -1}\npools:\n  - name: p\n    endpointPicker: "
                + "no-such-policy\n    endpoints:\n      - {address: \"127.0.0.1:1\"}\n");
        CliRun r = CliRun.of("epp", "--config", file.toString(), "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: cannot start: ").contains("no-such-policy");
    }

    @Test
    void aPortInUseCannotStart() throws Exception {
        Path file = write("server: {host: 127.0.0.1, adminPort: -1}\npools:\n  - name: p\n    endpoints:\n"
                + "      - {address: \"127.0.0.1:1\"}\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of("epp", "--config", file.toString(), "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).startsWith("jetway epp: cannot start: ")
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is already in use; "
                            + "choose another with --port N").doesNotContain("\tat ");
        }
    }
}
