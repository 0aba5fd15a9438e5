package dev.jetway.sim.loop;

import dev.jetway.engine.KvTransfer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells a prefill replica of the same process that a decode run has pulled its KV, the notification NIXL sends
 * after a transfer, so the prefill engine frees the pinned blocks now instead of at the end of its transfer
 * window. Prefill replicas in other processes keep their blocks for the window, as vLLM does when no
 * notification arrives.
 */
public final class KvTransferRelay {

    private final Map<String, EngineLoop> byAddress = new ConcurrentHashMap<>();

    public void register(String host, int port, EngineLoop loop) {
        byAddress.put(host + ":" + port, loop);
    }

    public void unregister(String host, int port) {
        byAddress.remove(host + ":" + port);
    }

    /** The decode run of {@code params} has its KV; release the prefill side if it lives here. */
    public void transferred(KvTransfer.RemotePrefillParams params) {
        if (params.remoteRequestId() == null || params.remoteHost() == null) {
            return;
        }
        EngineLoop prefill = byAddress.get(params.remoteHost() + ":" + params.remotePort());
        if (prefill != null) {
            prefill.releaseKvTransfer(params.remoteRequestId());
        }
    }
}
