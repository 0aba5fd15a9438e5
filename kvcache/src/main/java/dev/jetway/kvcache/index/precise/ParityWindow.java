package dev.jetway.kvcache.index.precise;

/** The last {@code size} parity outcomes of one endpoint, as a ring of booleans with a running count. */
final class ParityWindow {

    private final boolean[] agreed;
    private int next;
    private int filled;
    private int agreements;

    ParityWindow(int size) {
        agreed = new boolean[size];
    }

    synchronized void record(boolean agreement) {
        if (filled == agreed.length) {
            if (agreed[next]) {
                agreements--;
            }
        } else {
            filled++;
        }
        agreed[next] = agreement;
        if (agreement) {
            agreements++;
        }
        next = (next + 1) % agreed.length;
    }

    synchronized int samples() {
        return filled;
    }

    synchronized int agreements() {
        return agreements;
    }

    synchronized void reset() {
        next = 0;
        filled = 0;
        agreements = 0;
    }
}
