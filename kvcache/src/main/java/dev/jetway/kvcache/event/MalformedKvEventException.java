package dev.jetway.kvcache.event;

/** A KV-event frame or payload that does not follow vLLM's schema; the message is dropped, the subscriber lives on. */
public final class MalformedKvEventException extends IllegalArgumentException {

    public MalformedKvEventException(String message) {
        super(message);
    }

    public MalformedKvEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
