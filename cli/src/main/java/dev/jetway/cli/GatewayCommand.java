package dev.jetway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the gateway in front of real model servers (the production entry point).")
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotBuiltYet.say(spec.commandLine().getErr(), "gateway", "the gateway issue");
    }
}
