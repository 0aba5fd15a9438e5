package dev.jetway.gateway.security;

import java.util.Set;

/**
 * One API key as the gateway knows it: never the key itself, only what it grants.
 *
 * @param name   a label for logs (the file's {@code name}, else the first characters of the digest)
 * @param tenant the tenant the key belongs to: the request's fairness id (flow control, rate limits), whatever the
 *               client's headers claim
 * @param models the models the key may use; empty = every model
 */
public record ApiKey(String name, String tenant, Set<String> models) {

    public ApiKey {
        models = Set.copyOf(models);
    }

    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }
}
