package dev.jetway.gateway.metrics;

/**
 * What became of a stream whose model server failed mid-response; the {@code outcome} label of
 * {@code jetway_migrations_total} (docs/operations.md, "Request migration").
 */
public enum MigrationOutcome {
    /** A continuation leg on another endpoint took over and is streaming to the client. */
    RESUMED("resumed"),
    /** A continuation leg failed before it streamed anything (connect error, 5xx, reset, timeout). */
    LEG_FAILED("leg_failed"),
    /** The model server refused the continuation (a 4xx): the stream ended with an error event. */
    REJECTED("rejected"),
    /** Everything asked for had been streamed already: the gateway ended the stream itself. */
    FINISHED("finished"),
    /** The pool's {@code migrationLimit} was used up: the stream ended with an error event. */
    LIMIT_REACHED("limit_reached"),
    /** No other ready endpoint could take the rest: the stream ended with an error event. */
    NO_ENDPOINT("no_endpoint"),
    /** The stream cannot be continued faithfully (n > 1, tool calls or reasoning in flight, ...): error event. */
    NOT_MIGRATABLE("not_migratable"),
    /** The pool's {@code migrationLimit} is 0: error event. */
    DISABLED("disabled");

    private final String label;

    MigrationOutcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
