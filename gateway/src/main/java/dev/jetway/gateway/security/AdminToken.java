package dev.jetway.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin port's bearer token (and the key to {@code x-jetway-debug} for callers without {@code debugRequests}).
 * Compared by digest in constant time, so neither the content nor the length leaks through timing.
 */
public final class AdminToken {

    /** Shorter tokens are refused: this one guards the admin actions of every replica. */
    static final int MIN_LENGTH = 16;

    private final String token;
    private final byte[] digest;

    private AdminToken(String token) {
        this.token = token;
        this.digest = ApiKeys.sha256(token);
    }

    /** The token in a file or Secret: its text, surrounding whitespace (a trailing newline) ignored. */
    static AdminToken parse(byte[] content) {
        String t = new String(content, StandardCharsets.UTF_8).strip();
        if (t.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the admin token must be at least " + MIN_LENGTH + " characters");
        }
        if (t.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("the admin token must be printable ASCII without spaces (it travels "
                    + "in an HTTP header)");
        }
        return new AdminToken(t);
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, ApiKeys.sha256(presented));
    }

    /** The token itself, for what this gateway sends its peers' admin ports. */
    public String value() {
        return token;
    }
}
