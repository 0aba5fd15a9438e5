package dev.jetway.cli;

import dev.jetway.gateway.routing.PickerConfigs;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.ConfigWarning;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.config.PluginRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jetway config}: check EndpointPickerConfig files and look at the built-in policies. */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "Check jetway.yaml and EndpointPickerConfig files (llm-d format) and show Jetway's built-in "
                + "policies.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class, ConfigCommand.Plugins.class})
final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit code when the config has problems. */
    static final int INVALID = 1;

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
            description = {"Load a config and print the resolved pipeline with every default filled in, then the "
                    + "mapping of settings from older GIE / llm-d releases (old -> new, or ignored and why), or every "
                    + "problem found (exit code 1). Warnings alone exit 0.",
                    "FILE may also be a jetway.yaml: the gateway settings are checked as `jetway gateway` loads them,"
                            + " then every pool's EndpointPickerConfig.",
                    "FILE may also be a built-in policy name: " + "jetway, precise, approximate, load, round-robin, "
                            + "random, sglang-cache-aware, dynamo-kv-cost."})
    static final class Check implements Callable<Integer> {

        @Mixin
        LogOptions log;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "EndpointPickerConfig YAML file, a jetway.yaml, or a built-in "
                + "policy name.")
        String file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!EndpointPickerConfig.BUILT_IN_POLICIES.contains(file) && GatewayConfigCheck.isGatewayFile(Path.of(file))) {
                return GatewayConfigCheck.check(Path.of(file), out, err);
            }
            try {
                EndpointPickerConfig config = EndpointPickerConfig.BUILT_IN_POLICIES.contains(file)
                        ? EndpointPickerConfig.builtIn(file) : EndpointPickerConfig.load(Path.of(file));
                Scheduler scheduler = Scheduler.fromConfig(config, environmentFor(config));
                out.print(scheduler.describe());
                List<ConfigWarning> warnings = scheduler.warnings();
                if (!warnings.isEmpty()) {
                    out.println("mapping (" + warnings.size() + " setting" + (warnings.size() == 1 ? "" : "s")
                            + " in an older or unsupported form; old -> how Jetway reads it):");
                    for (ConfigWarning w : warnings) {
                        out.println("  " + w);
                    }
                }
                out.println(warnings.isEmpty() ? "OK" : "OK, with " + warnings.size() + " warning"
                        + (warnings.size() == 1 ? "" : "s"));
                out.flush();
                return 0;
            } catch (ConfigException e) {
                err.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems"));
                for (String p : e.problems()) {
                    err.println("  - " + p);
                }
                err.flush();
                return INVALID;
            }
        }
    }

    static SchedulerEnvironment environmentFor(EndpointPickerConfig config) {
        return PickerConfigs.checkEnvironment(config, new dev.jetway.gateway.tokenize.RemoteTokenizers());
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
            description = "Print the YAML of a built-in policy (a starting point for your own config).")
    static final class Show implements Callable<Integer> {

        @Mixin
        LogOptions log;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "POLICY", defaultValue = "jetway",
                description = "Built-in policy: ${COMPLETION-CANDIDATES}", completionCandidates = Policies.class)
        String policy;

        @Override
        public Integer call() {
            try {
                spec.commandLine().getOut().print(EndpointPickerConfig.builtInText(policy));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                spec.commandLine().getErr().flush();
                return INVALID;
            }
        }
    }

    @Command(name = "plugins", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
            description = "List the plugin types Jetway understands, the old names it accepts (with what it reads "
                    + "them as), and those not built yet.")
    static final class Plugins implements Callable<Integer> {

        @Mixin
        LogOptions log;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PluginRegistry registry = PluginRegistry.builtIn();
            for (PluginRegistry.Entry e : registry.entries()) {
                out.printf("%-32s %-16s %s%n", e.type(), e.kind().label(), e.summary());
            }
            out.println();
            registry.aliases().forEach((old, current) -> out.printf("%-32s -> %s%n", old, current));
            EndpointPickerConfig.historicalTypes().forEach((old, now) -> out.printf("%-32s -> %s%n", old, now));
            out.println();
            for (PluginRegistry.Planned p : registry.plannedTypes()) {
                out.printf("%-32s %-16s not built yet: %s%n", p.type(), p.kind().label(), p.why());
            }
            out.flush();
            return 0;
        }
    }

    /** Completion candidates for {@code show}. */
    static final class Policies implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return EndpointPickerConfig.BUILT_IN_POLICIES.iterator();
        }
    }
}
