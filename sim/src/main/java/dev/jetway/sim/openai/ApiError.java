package dev.jetway.sim.openai;

/**
 * An error answered to the client with the OpenAI error body
 * {@code {"error":{"message","type","param","code"}}}; like vLLM, {@code code} is the HTTP status.
 *
 * @param status  HTTP status
 * @param type    error type as vLLM names it ({@code BadRequestError}, {@code NotFoundError}, ...)
 * @param message human-readable explanation
 * @param param   the request field at fault, or null
 */
public record ApiError(int status, String type, String message, String param) {

    public static ApiError badRequest(String message, String param) {
        return new ApiError(400, "BadRequestError", message, param);
    }

    public static ApiError notFound(String message, String param) {
        return new ApiError(404, "NotFoundError", message, param);
    }

    public static ApiError modelNotFound(String model) {
        return notFound("The model `" + model + "` does not exist.", "model");
    }

    /** Thrown while handling a request; carries the error the client receives. */
    public static final class Exception extends RuntimeException {
        private final ApiError error;

        public Exception(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    public Exception asException() {
        return new Exception(this);
    }
}
