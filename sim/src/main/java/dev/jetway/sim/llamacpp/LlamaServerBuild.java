package dev.jetway.sim.llamacpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where {@code scripts/llama-server.sh} puts llama.cpp's {@code llama-server} (built from the llama.cpp source that
 * the npm package node-llama-cpp ships): {@code ${JETWAY_LLAMA_CACHE:-~/.cache/jetway}/llama-server-<commit>/}, with
 * {@code bin/llama-server} and {@code models/ggml-vocab-llama-spm.gguf}. {@code JETWAY_LLAMA_SERVER} may name another
 * binary (its vocab file is then looked for next to it, under {@code ../models/}). The system property
 * {@code jetway.llamaCache} overrides both (tests).
 *
 * @param binary the llama-server executable
 * @param vocab  the Llama SentencePiece vocab-only GGUF the random models copy their tokenizer from
 */
public record LlamaServerBuild(Path binary, Path vocab) {

    /** The llama.cpp commit the script pins (node-llama-cpp@3.22.1's bundle). */
    public static final String COMMIT = "de3ff81";

    /** What to run to build it, for error messages. */
    public static final String BUILD_COMMAND = "scripts/llama-server.sh";

    /** The build on this machine, if there is one. */
    public static Optional<LlamaServerBuild> find() {
        String explicit = System.getenv("JETWAY_LLAMA_SERVER");
        Path binary;
        if (explicit != null && !explicit.isBlank() && System.getProperty("jetway.llamaCache") == null) {
            binary = Path.of(explicit);
        } else {
            binary = prefix().resolve("bin").resolve("llama-server");
        }
        Path vocab = binary.toAbsolutePath().getParent().resolveSibling("models").resolve("ggml-vocab-llama-spm.gguf");
        if (Files.isExecutable(binary) && Files.isRegularFile(vocab)) {
            return Optional.of(new LlamaServerBuild(binary, vocab));
        }
        return Optional.empty();
    }

    /** Where the script installs this commit. */
    public static Path prefix() {
        String cache = System.getProperty("jetway.llamaCache", System.getenv("JETWAY_LLAMA_CACHE"));
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "jetway");
        return base.resolve("llama-server-" + COMMIT);
    }

    /** Why there is no build, and how to make one (one paragraph, for a user). */
    public static String missingMessage() {
        return "llama.cpp's llama-server is not built on this machine (looked for " + prefix().resolve("bin/llama-server")
                + "). Build it once with " + BUILD_COMMAND + " from the Jetway checkout: it builds llama.cpp "
                + COMMIT + " from the source the npm package node-llama-cpp@3.22.1 ships (needs npm, git, cmake, "
                + "g++ and ninja; 6-14 minutes on 2 cores).";
    }

    /** Random-weight model files written for these replicas go here, next to the build. */
    public Path modelDir() {
        return binary.toAbsolutePath().getParent().resolveSibling("random-models");
    }

    /** A random-weight model of {@code shape}, written once per machine and kept. */
    public Path model(GgufRandomModel.Shape shape) throws java.io.IOException {
        return GgufRandomModel.writeIfAbsent(modelDir().resolve("jetway-random-" + shape.name() + ".gguf"), vocab,
                shape, 42);
    }
}
