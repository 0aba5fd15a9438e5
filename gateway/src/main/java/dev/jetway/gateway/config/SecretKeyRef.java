package dev.jetway.gateway.config;

/**
 * One key of a Kubernetes Secret.
 *
 * @param name      the Secret
 * @param namespace its namespace; absent = {@code kubernetes.namespace}
 * @param key       the data key; absent = the default of the setting that refers to it
 */
public record SecretKeyRef(String name, String namespace, String key) {

    public SecretKeyRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("secret.name is required");
        }
        key = key == null || key.isBlank() ? null : key;
    }

    /** This reference with {@code defaultKey} for a missing key. */
    public SecretKeyRef withDefaultKey(String defaultKey) {
        return key != null ? this : new SecretKeyRef(name, namespace, defaultKey);
    }
}
