package dev.jetway.gateway.config;

/**
 * Where a credential lives: a file (relative to jetway.yaml; a mounted Kubernetes Secret is one) or a key of a
 * Kubernetes Secret read through the API. Either is watched and re-read when it changes.
 *
 * @param file   the file
 * @param secret the Secret key
 */
public record CredentialSource(String file, SecretKeyRef secret) {

    public CredentialSource {
        file = file == null || file.isBlank() ? null : file;
    }

    /** Checks that exactly one place is named; {@code key} is the setting, for the message. */
    CredentialSource check(String key) {
        if ((file == null) == (secret == null)) {
            throw new IllegalArgumentException(key + " needs exactly one of file or secret");
        }
        return this;
    }
}
