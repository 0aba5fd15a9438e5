package dev.jetway.gateway.security;

import dev.jetway.gateway.config.CredentialSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A credential kept current from its {@link CredentialSource} (a watched file or a Secret key), parsed by
 * {@code parse}. A change that does not parse is logged and the last good value kept: a broken edit must not lock every
 * client out, nor let every client in. A file that does not parse at start throws (the gateway does not start).
 */
final class LiveSecret<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveSecret.class);

    private final CredentialSource source;
    private final String what;
    private final Function<byte[], T> parse;
    private final WatchedFile file;
    private final SecretWatch secret;
    private volatile T current;

    /**
     * @param what      the setting, for logs ({@code security.apiKeys})
     * @param parse     bytes to value; throws {@link IllegalArgumentException} saying what is wrong
     * @param namespace the Secret's namespace when the reference names none
     * @param client    the Kubernetes API (asked for only when the source is a Secret)
     */
    LiveSecret(CredentialSource source, String what, Function<byte[], T> parse, Path baseDir, String namespace,
               Supplier<KubernetesClient> client) {
        this.source = source;
        this.what = what;
        this.parse = parse;
        if (source.file() != null) {
            Path path = baseDir.resolve(source.file()).normalize();
            this.secret = null;
            WatchedFile watched = null;
            try {
                watched = new WatchedFile(path, bytes -> changed(bytes, path.toString()));
                this.current = parse.apply(watched.content());
            } catch (IllegalArgumentException e) {
                if (watched != null) {
                    watched.close();
                }
                throw new IllegalArgumentException(what + ": " + e.getMessage());
            }
            this.file = watched;
        } else {
            this.file = null;
            var ref = source.secret();
            KubernetesClient k8s = client.get();
            String ns = ref.namespace() != null ? ref.namespace() : namespace != null ? namespace
                    : k8s.getNamespace() != null ? k8s.getNamespace() : "default";
            this.secret = new SecretWatch(k8s, ns, ref.name(), ref.key(), bytes -> changed(bytes, describeSecret()));
        }
    }

    private String describeSecret() {
        return secret == null ? "Secret " + source.secret().name() : secret.describe();
    }

    private void changed(byte[] bytes, String from) {
        if (bytes == null) {
            log.warn("{}: {} is gone; {}", what, from, current == null ? "nothing is accepted until it is back"
                    : "keeping what it last held");
            return;
        }
        try {
            current = parse.apply(bytes);
            log.info("{}: loaded {}", what, from);
        } catch (IllegalArgumentException e) {
            log.error("{}: ignoring the change: {}; {}", what, e.getMessage(),
                    current == null ? "nothing is accepted until it loads" : "keeping what it last held");
        }
    }

    CredentialSource source() {
        return source;
    }

    /** The value now; null before a Secret's first good content. */
    T current() {
        return current;
    }

    /** Null once loaded; else what is awaited. */
    String waitingFor() {
        if (current != null) {
            return null;
        }
        String w = secret == null ? null : secret.waitingFor();
        return what + " from " + (w != null ? w : describeSecret());
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
        if (secret != null) {
            secret.close();
        }
    }
}
