package dev.jetway.scheduler.flow;

/**
 * llm-d's eviction plugins ({@code sheddable-eviction-filter}: only priority &lt; 0 may be evicted;
 * {@code priority-then-time-eviction-order-policy}: lowest priority first, then the newest). Jetway's eviction
 * ({@code enableEviction}) has that behaviour built in, so these load and change nothing.
 */
public record BuiltInEviction(String type, String name) implements StandIn, dev.jetway.scheduler.spi.Plugin {

    public static final String FILTER_TYPE = "sheddable-eviction-filter";
    public static final String ORDER_TYPE = "priority-then-time-eviction-order-policy";

    @Override
    public String instead() {
        return "Jetway's built-in eviction";
    }

    @Override
    public String why() {
        return "with enableEviction, Jetway evicts only sheddable (priority < 0) requests, the lowest priority first, "
                + "then the newest: the behaviour of sheddable-eviction-filter with "
                + "priority-then-time-eviction-order-policy";
    }
}
