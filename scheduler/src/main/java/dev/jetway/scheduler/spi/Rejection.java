package dev.jetway.scheduler.spi;

import java.util.Objects;

/**
 * Why an {@link Admitter} refused a request, as the caller answers it.
 *
 * @param status        HTTP status (429 when retrying later or elsewhere may succeed)
 * @param droppedReason llm-d's {@code x-llm-d-request-dropped-reason} value, e.g. {@code rejected-saturated}
 * @param message       a sentence for the OpenAI error body
 * @param admitter      name of the admitter that refused
 */
public record Rejection(int status, String droppedReason, String message, String admitter) {

    public Rejection {
        Objects.requireNonNull(droppedReason, "droppedReason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(admitter, "admitter");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a rejection's status must be 4xx or 5xx: " + status);
        }
    }
}
