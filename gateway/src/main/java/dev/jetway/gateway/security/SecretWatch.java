package dev.jetway.gateway.security;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key of a Kubernetes Secret, watched through the API (an informer on that one Secret): {@code onChange} hears
 * the key's bytes whenever the Secret changes, or null when the Secret or the key is gone.
 */
final class SecretWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SecretWatch.class);

    private final String namespace;
    private final String name;
    private final String key;
    private final SharedIndexInformer<Secret> informer;

    SecretWatch(KubernetesClient client, String namespace, String name, String key, Consumer<byte[]> onChange) {
        this.namespace = namespace;
        this.name = name;
        this.key = key;
        this.informer = client.secrets().inNamespace(namespace).withField("metadata.name", name).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret s) {
                onChange.accept(value(s));
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                onChange.accept(value(after));
            }

            @Override
            public void onDelete(Secret s, boolean finalStateUnknown) {
                onChange.accept(null);
            }
        });
        informer.exceptionHandler((started, t) -> {
            // the informer retries with backoff; forbidden (403) means the RBAC role lacks get/list/watch on secrets
            log.warn("watching Secret {}/{} failed, retrying: {}", namespace, name, t.toString());
            return true;
        });
        informer.start();
    }

    private byte[] value(Secret s) {
        if (s.getData() != null && s.getData().get(key) != null) {
            return Base64.getDecoder().decode(s.getData().get(key));
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return s.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    /** Null once the Secret was listed; else what is awaited. */
    String waitingFor() {
        return informer.hasSynced() ? null : "Secret " + namespace + "/" + name;
    }

    String describe() {
        return "Secret " + namespace + "/" + name + " key " + key;
    }

    @Override
    public void close() {
        informer.stop();
    }
}
