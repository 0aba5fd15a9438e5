package dev.jetway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start simulated vLLM replicas and the gateway in front of them, on this machine.")
final class UpCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotBuiltYet.say(spec.commandLine().getErr(), "up", "the gateway issue");
    }
}
