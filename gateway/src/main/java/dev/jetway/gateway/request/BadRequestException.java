package dev.jetway.gateway.request;

/** A request body the gateway refuses, with the OpenAI {@code param} that is wrong (may be null). */
public final class BadRequestException extends Exception {

    private final String param;

    public BadRequestException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
