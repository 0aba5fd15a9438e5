package dev.jetway.engine;

import java.util.List;

/**
 * The P/D role of one engine run, following vLLM's NIXL connector ({@code kv_transfer_params}).
 */
public sealed interface KvTransfer {

    /** Aggregated serving: prefill and decode on this engine. */
    KvTransfer NONE = new None();

    record None() implements KvTransfer {
    }

    /**
     * {@code do_remote_decode: true}: prefill only, then keep the prompt's blocks for a transfer window and answer
     * with the parameters a decode engine needs ({@link RemotePrefillParams}).
     */
    record PrefillForRemoteDecode() implements KvTransfer {
    }

    /**
     * {@code do_remote_prefill: true}: the prompt's KV comes from a remote prefill engine; instead of computing it
     * this engine waits the transfer time, then decodes.
     */
    record DecodeAfterRemotePrefill(RemotePrefillParams params) implements KvTransfer {
    }

    /** What a prefill run hands to the decode run (the prefill response's {@code kv_transfer_params}). */
    record RemotePrefillParams(String remoteEngineId, String remoteRequestId, List<Integer> remoteBlockIds,
                               String remoteHost, int remotePort, int tpSize) {
    }
}
