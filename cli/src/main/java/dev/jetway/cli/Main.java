package dev.jetway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jetway} command. */
@Command(name = "jetway",
        mixinStandardHelpOptions = true,
        versionProvider = JetwayVersion.class,
        description = "LLM-aware inference gateway: routes OpenAI-compatible traffic across vLLM replicas by prefix cache, load and latency.",
        subcommands = {
                UpCommand.class,
                DemoCommand.class,
                GatewayCommand.class,
                EppCommand.class,
                SimCommand.class,
                BenchCommand.class,
                SimulateCommand.class,
                ConfigCommand.class,
                KeysCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionStrategy(new LoggingSetup()::execute);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
