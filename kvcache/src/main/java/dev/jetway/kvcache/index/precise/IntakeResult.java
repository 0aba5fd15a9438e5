package dev.jetway.kvcache.index.precise;

/** What {@link PrecisePrefixIndex#onMessage} did with one received message. */
public enum IntakeResult {
    /** In sequence (or the first message seen): applied. */
    APPLIED,
    /** Sequence jumped ahead: events were lost, the endpoint's entries were dropped, then this batch applied. */
    RESYNCED_AFTER_GAP,
    /** Sequence went back: the publisher restarted, the endpoint's entries were dropped, then this batch applied. */
    RESYNCED_AFTER_RESTART,
    /** The payload did not decode: dropped, and the endpoint's entries with it (its events are now incomplete). */
    MALFORMED_DROPPED,
    /** The endpoint id is not registered: ignored. */
    UNKNOWN_ENDPOINT
}
