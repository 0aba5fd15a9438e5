package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.fault.FailureType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimCommandTest {

    private final StringWriter err = new StringWriter();

    private SimCommand parse(String... args) {
        SimCommand command = new SimCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void flagsBecomeSimulatorOptions() {
        SimOptions options = parse("--model", "m", "--port", "9000", "--profile", "llama-3.1-8b-h100",
                "--kv-events", "tcp://*:6000", "--block-size", "64", "--max-num-seqs", "32",
                "--max-num-batched-tokens", "2048", "--max-model-len", "1000", "--seed", "7",
                "--lora-modules", "a=/p/a", "b=/p/b", "--max-loras", "2", "--failure-rate", "12.5",
                "--failure-types", "rate_limit,server_error", "--stall-after-tokens", "3",
                "--advertise-host", "10.0.0.5", "--scheduling-policy", "priority").options();

        assertThat(options.model()).isEqualTo("m");
        assertThat(options.port()).isEqualTo(9000);
        assertThat(options.profile()).isEqualTo("llama-3.1-8b-h100");
        assertThat(options.kvEventsEndpoint()).isEqualTo("tcp://*:6000");
        assertThat(options.blockSize()).isEqualTo(64);
        assertThat(options.maxNumSeqs()).isEqualTo(32);
        assertThat(options.maxNumBatchedTokens()).isEqualTo(2048);
        assertThat(options.maxModelLen()).isEqualTo(1000);
        assertThat(options.seed()).isEqualTo(7);
        assertThat(options.loraModules()).containsExactly(Map.entry("a", "/p/a"), Map.entry("b", "/p/b")); // flag order = /v1/models order
        assertThat(options.maxLoras()).isEqualTo(2);
        assertThat(options.failureRate()).isEqualTo(12.5);
        assertThat(options.failureTypes()).isEqualTo(Set.of(FailureType.RATE_LIMIT, FailureType.SERVER_ERROR));
        assertThat(options.stallAfterTokens()).isEqualTo(3);
        assertThat(options.advertiseHost()).isEqualTo("10.0.0.5");
        assertThat(options.schedulingPolicy()).isEqualTo(SchedulingPolicy.PRIORITY);
    }

    @Test
    void defaultsMatchTheDocs() {
        SimOptions options = parse("--model", "m").options();
        assertThat(options.port()).isEqualTo(8000);
        assertThat(options.profile()).isEqualTo("qwen3-32b-h100-tp2");
        assertThat(options.kvEventsEndpoint()).isNull();
        assertThat(options.blockSize()).isEqualTo(16);
        assertThat(options.failureTypes()).hasSize(FailureType.values().length);
        assertThat(options.stallAfterTokens()).isEqualTo(-1);
        assertThat(options.schedulingPolicy()).isEqualTo(SchedulingPolicy.FCFS);
        assertThat(options.bindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void bindsLoopbackOnlyByDefault() throws Exception {
        // On Linux all of 127/8 is loopback: a listener on every interface (0.0.0.0) takes a connection to 127.0.0.2,
        // one bound to 127.0.0.1 refuses it. Elsewhere 127.0.0.2 may not exist, and this cannot be told apart.
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.2", 0));
        } catch (IOException e) {
            Assumptions.abort("127.0.0.2 is not a local address here");
        }
        try (CliRun.InBackground sim = CliRun.InBackground.start("jetway sim",
                Pattern.compile("listening on (\\S+):(\\d+)"), "sim", "--model", "m", "--port", "0",
                "--profile", "llama-3.1-8b-h100")) {
            assertThat(sim.banner().group(1)).isEqualTo("127.0.0.1");
            int port = Integer.parseInt(sim.banner().group(2));
            try (Socket ok = new Socket("127.0.0.1", port)) {
                assertThat(ok.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> new Socket("127.0.0.2", port).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void badFlagValuesAreUsageErrors() {
        for (String[] args : new String[][] {
                {"sim", "--model", "m", "--lora-modules", "no-equals-sign"},
                {"sim", "--model", "m", "--failure-types", "meteor"},
                {"sim", "--model", "m", "--failure-rate", "150"},
                {"sim", "--model", "m", "--profile", "gpt-17"},
                {"sim"}}) {
            CommandLine cli = new CommandLine(new Main());
            cli.setErr(new PrintWriter(err));
            assertThat(cli.execute(args)).as(String.join(" ", args)).isEqualTo(2);
        }
        assertThat(err.toString()).contains("NAME=PATH").contains("unknown failure type").contains("failureRate")
                .contains("unknown engine profile");
    }
}
