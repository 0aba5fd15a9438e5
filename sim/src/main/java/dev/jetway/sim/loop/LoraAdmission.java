package dev.jetway.sim.loop;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * vLLM's {@code --max-loras}: at most that many distinct adapters have requests inside the engine; a request for
 * another adapter waits here (FIFO) until an adapter's last request finishes. Confined to the engine thread.
 *
 * @param <T> the held submission
 */
final class LoraAdmission<T> {

    private final int maxLoras;
    /** Adapter to its requests inside the engine. */
    private final Map<String, Integer> active = new LinkedHashMap<>();
    private final ArrayDeque<Held<T>> held = new ArrayDeque<>();

    private record Held<T>(String lora, T item) {
    }

    LoraAdmission(int maxLoras) {
        this.maxLoras = maxLoras;
    }

    /** True if a request for {@code lora} (null = base model) may enter the engine now; counts it if so. */
    boolean tryAdmit(String lora) {
        if (lora == null) {
            return true;
        }
        Integer count = active.get(lora);
        if (count == null && (active.size() >= maxLoras || hasHeld(lora))) {
            return false;
        }
        active.merge(lora, 1, Integer::sum);
        return true;
    }

    private boolean hasHeld(String lora) {
        for (Held<T> h : held) {
            if (h.lora().equals(lora)) {
                return true;
            }
        }
        return false;
    }

    void hold(String lora, T item) {
        held.addLast(new Held<>(lora, item));
    }

    /** Removes a held item; true if it was held. */
    boolean removeHeld(Predicate<T> matches) {
        for (Iterator<Held<T>> it = held.iterator(); it.hasNext(); ) {
            if (matches.test(it.next().item())) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /** A request for {@code lora} left the engine; returns held items that may now enter, in arrival order. */
    java.util.List<T> release(String lora) {
        if (lora == null) {
            return java.util.List.of();
        }
        active.computeIfPresent(lora, (k, v) -> v == 1 ? null : v - 1);
        java.util.List<T> admitted = new java.util.ArrayList<>();
        for (Iterator<Held<T>> it = held.iterator(); it.hasNext(); ) {
            Held<T> h = it.next();
            Integer count = active.get(h.lora());
            if (count != null || active.size() < maxLoras) {
                active.merge(h.lora(), 1, Integer::sum);
                admitted.add(h.item());
                it.remove();
            }
        }
        return admitted;
    }

    int heldCount() {
        return held.size();
    }

    /** Adapters with requests inside the engine, comma-separated (vLLM's {@code running_lora_adapters}). */
    String runningAdapters() {
        return String.join(",", active.keySet());
    }

    /** Adapters with held requests, comma-separated (vLLM's {@code waiting_lora_adapters}). */
    String waitingAdapters() {
        LinkedHashMap<String, Boolean> names = new LinkedHashMap<>();
        for (Held<T> h : held) {
            names.put(h.lora(), Boolean.TRUE);
        }
        return String.join(",", names.keySet());
    }

    void clear() {
        active.clear();
        held.clear();
    }
}
