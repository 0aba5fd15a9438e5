package dev.jetway.gateway.request;

/** The OpenAI endpoints the gateway routes. */
public enum ApiKind {
    COMPLETIONS("/v1/completions"),
    CHAT_COMPLETIONS("/v1/chat/completions");

    private final String path;

    ApiKind(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** The kind served at {@code path} (query string already removed), or null. */
    public static ApiKind ofPath(String path) {
        for (ApiKind kind : values()) {
            if (kind.path.equals(path)) {
                return kind;
            }
        }
        return null;
    }
}
