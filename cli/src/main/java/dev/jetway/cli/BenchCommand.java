package dev.jetway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Drive a workload against any OpenAI-compatible URL and report latency and throughput.")
final class BenchCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotBuiltYet.say(spec.commandLine().getErr(), "bench", "the benchmarks issue");
    }
}
