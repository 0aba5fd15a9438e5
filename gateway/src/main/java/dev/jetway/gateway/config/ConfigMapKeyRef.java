package dev.jetway.gateway.config;

/**
 * One key of a Kubernetes ConfigMap.
 *
 * @param name      the ConfigMap
 * @param namespace its namespace; absent = {@code kubernetes.namespace}
 * @param key       the key holding the document; absent = {@value #DEFAULT_KEY}, the key llm-d's router chart writes
 */
public record ConfigMapKeyRef(String name, String namespace, String key) {

    public static final String DEFAULT_KEY = "default-plugins.yaml";

    public ConfigMapKeyRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("endpointPickerConfigMap.name is required");
        }
        key = key == null || key.isBlank() ? DEFAULT_KEY : key;
    }

    /** {@code NAME} or {@code NAME/KEY} (the command line's form). */
    public static ConfigMapKeyRef parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? new ConfigMapKeyRef(text, null, null)
                : new ConfigMapKeyRef(text.substring(0, slash), null, text.substring(slash + 1));
    }
}
