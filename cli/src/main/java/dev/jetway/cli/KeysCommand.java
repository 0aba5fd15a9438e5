package dev.jetway.cli;

import dev.jetway.gateway.security.ApiKeys;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jetway keys}: make API keys and the lines of the keys file that accept them (docs/security.md). */
@Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "Make API keys for security.apiKeys: the key (give it to the client, it is shown once) and the "
                + "line for the keys file (only its SHA-256 digest is stored).",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Hash.class})
final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The keys-file line for {@code key}. */
    static String line(String key, String tenant, List<String> models, String name) {
        StringBuilder sb = new StringBuilder("- {hash: \"").append(ApiKeys.hash(key)).append("\", tenant: ")
                .append(quote(tenant));
        if (models != null && !models.isEmpty()) {
            sb.append(", models: [").append(String.join(", ", models.stream().map(KeysCommand::quote).toList()))
                    .append(']');
        }
        if (name != null) {
            sb.append(", name: ").append(quote(name));
        }
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    abstract static class Entry {
        @Option(names = "--tenant", required = true, description = "The tenant the key belongs to (its requests' "
                + "fairness id for flow control and tenantRateLimits).")
        String tenant;

        @Option(names = "--models", split = ",", paramLabel = "MODEL[,MODEL...]",
                description = "Models the key may use (default: every model).")
        List<String> models;

        @Option(names = "--name", description = "A label for the key in the file and in logs.")
        String name;
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
            description = "Print a new random key (256 bits) on the first line and its keys-file line on the second.")
    static final class Generate extends Entry implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String key = ApiKeys.generate();
            PrintWriter out = spec.commandLine().getOut();
            out.println(key);
            out.println(line(key, tenant, models, name));
            out.flush();
            return 0;
        }
    }

    @Command(name = "hash", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
            description = "Print the keys-file line for an existing key (e.g. one moved from another gateway).")
    static final class Hash extends Entry implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEY", arity = "0..1", description = "The key; without it, the first line of standard "
                + "input (keeps the key out of the shell's history).")
        String key;

        @Override
        public Integer call() throws java.io.IOException {
            String k = key != null ? key
                    : new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            if (k == null || k.isBlank()) {
                spec.commandLine().getErr().println("jetway keys hash: no key given");
                return 1;
            }
            spec.commandLine().getOut().println(line(k.strip(), tenant, models, name));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
