package dev.jetway.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys the gateway accepts, as stored at rest: the SHA-256 digest of each key with its tenant and models.
 *
 * <p>SHA-256 rather than bcrypt or scrypt because the keys are 256-bit random strings the gateway generates
 * ({@link #generate}), not passwords: nobody can guess one, so a slow hash would add nothing against a stolen file but
 * would cost every request milliseconds of CPU. A presented key is hashed and looked up by its digest; the lookup's
 * timing depends only on the digest, which a caller cannot steer toward a stored one, and the final comparison is
 * constant-time ({@link MessageDigest#isEqual}).
 *
 * <p>The file (YAML or JSON) is a list:
 * <pre>
 * - {hash: "sha256:9f86d081...", tenant: team-a, models: [qwen3-32b], name: ci}
 * - {hash: "sha256:2c26b46b...", tenant: team-b}                # every model
 * </pre>
 */
public final class ApiKeys {

    public static final String PREFIX = "sha256:";
    /** What {@link #generate} puts in front of a key, so that a leaked one is recognisable (secret scanners). */
    public static final String KEY_PREFIX = "jw-";
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(byte[] digest, ApiKey key) {
    }

    private final Map<String, Entry> byDigest;

    private ApiKeys(Map<String, Entry> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    /** How a presented {@code Authorization} header fares. */
    public sealed interface Outcome {
        /** No {@code Authorization: Bearer} header. */
        record Missing() implements Outcome {
        }

        /** A key that is not one of ours. */
        record Invalid() implements Outcome {
        }

        record Valid(ApiKey key) implements Outcome {
        }
    }

    private static final Outcome MISSING = new Outcome.Missing();
    private static final Outcome INVALID = new Outcome.Invalid();

    /** The key the {@code Authorization} header carries ({@code Bearer KEY}), checked. */
    public Outcome authenticate(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            return MISSING;
        }
        byte[] digest = sha256(key);
        Entry e = byDigest.get(HexFormat.of().formatHex(digest));
        if (e == null || !MessageDigest.isEqual(e.digest(), digest)) {
            return INVALID;
        }
        return new Outcome.Valid(e.key());
    }

    /** The token of {@code Authorization: Bearer TOKEN} (scheme case-insensitive), or null. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    public int size() {
        return byDigest.size();
    }

    /** A new key: 256 random bits, URL-safe, with {@value #KEY_PREFIX} in front. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@code sha256:HEX} of a key: what the keys file stores. */
    public static String hash(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Reads a keys file (YAML or JSON list); {@code source} names it in errors.
     *
     * @throws IllegalArgumentException what is wrong, naming the entry
     */
    public static ApiKeys parse(byte[] content, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON"
                    + location(e));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ApiKeys(Map.of()); // an empty file: no key is valid
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException(source + ": expected a list of keys ({hash, tenant, models, name})");
        }
        Map<String, Entry> out = new HashMap<>();
        int i = 0;
        for (JsonNode n : root) {
            String at = source + "[" + i++ + "]";
            if (!n.isObject()) {
                throw new IllegalArgumentException(at + ": expected {hash, tenant, models, name}");
            }
            for (var it = n.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!Set.of("hash", "tenant", "models", "name").contains(field)) {
                    throw new IllegalArgumentException(at + ": unknown key '" + field
                            + "' (known: hash, tenant, models, name)");
                }
            }
            String hash = n.path("hash").asText("");
            if (!hash.startsWith(PREFIX) || !DIGEST.matcher(hash.substring(PREFIX.length())).matches()) {
                throw new IllegalArgumentException(at + ": hash must be sha256: and 64 lowercase hex digits (the "
                        + "key's digest, as `jetway keys generate` prints it), never the key itself");
            }
            String tenant = n.path("tenant").asText("");
            if (tenant.isBlank()) {
                throw new IllegalArgumentException(at + ": tenant is required");
            }
            Set<String> models = new LinkedHashSet<>();
            if (n.has("models")) {
                if (!n.get("models").isArray() || n.get("models").isEmpty()) {
                    throw new IllegalArgumentException(at + ": models must be a non-empty list (leave it out for "
                            + "every model)");
                }
                n.get("models").forEach(m -> models.add(m.asText()));
            }
            String hex = hash.substring(PREFIX.length());
            String name = n.hasNonNull("name") ? n.get("name").asText() : hex.substring(0, 8);
            if (out.put(hex, new Entry(HexFormat.of().parseHex(hex), new ApiKey(name, tenant, models))) != null) {
                throw new IllegalArgumentException(at + ": the same key is listed twice");
            }
        }
        return new ApiKeys(out);
    }

    private static String location(java.io.IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
        }
        return "";
    }
}
