package dev.jetway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "What-if simulation in virtual time: compare routing policies, replica counts and P/D splits.")
final class SimulateCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotBuiltYet.say(spec.commandLine().getErr(), "simulate", "the benchmarks issue");
    }
}
