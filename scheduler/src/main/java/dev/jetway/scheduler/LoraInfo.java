package dev.jetway.scheduler;

import java.util.Set;

/**
 * LoRA state of one endpoint, from vLLM's {@code vllm:lora_requests_info} labels.
 *
 * @param maxLoras        {@code max_lora}: adapters the engine can hold at once (0 = unknown or LoRA off)
 * @param runningAdapters {@code running_lora_adapters}
 * @param waitingAdapters {@code waiting_lora_adapters}
 */
public record LoraInfo(int maxLoras, Set<String> runningAdapters, Set<String> waitingAdapters) {

    public static final LoraInfo NONE = new LoraInfo(0, Set.of(), Set.of());

    public LoraInfo {
        runningAdapters = runningAdapters == null ? Set.of() : Set.copyOf(runningAdapters);
        waitingAdapters = waitingAdapters == null ? Set.of() : Set.copyOf(waitingAdapters);
    }

    /** Adapters the engine has loaded or is loading. */
    public int activeCount() {
        int n = runningAdapters.size();
        for (String w : waitingAdapters) {
            if (!runningAdapters.contains(w)) {
                n++;
            }
        }
        return n;
    }
}
