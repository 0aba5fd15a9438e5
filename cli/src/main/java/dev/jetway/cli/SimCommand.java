package dev.jetway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run vLLM-compatible simulated replicas (OpenAI API, /metrics, KV events).")
final class SimCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotBuiltYet.say(spec.commandLine().getErr(), "sim", "the engine and simulator issue");
    }
}
