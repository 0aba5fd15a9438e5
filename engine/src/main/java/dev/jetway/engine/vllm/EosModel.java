package dev.jetway.engine.vllm;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.KvTransfer;
import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * Decides, when a request arrives, how many tokens the modelled model will generate and how the run ends.
 * Deterministic in the engine seed and the request id.
 */
final class EosModel {

    /** The length of a run and its {@code finish_reason}. */
    record Outcome(int outputTokens, FinishReason reason) {
    }

    private final LongHashFunction hash;

    EosModel(long seed) {
        this.hash = LongHashFunction.xx3(seed);
    }

    Outcome outcome(EngineRequest request) {
        if (request.kvTransfer() instanceof KvTransfer.PrefillForRemoteDecode) {
            return new Outcome(1, FinishReason.REMOTE_DECODE);
        }
        if (request.ignoreEos()) {
            return new Outcome(request.maxTokens(), FinishReason.LENGTH);
        }
        // EOS is output token e, uniform in [max(1, minTokens), maxTokens + 1]; maxTokens + 1 means the limit
        // comes first. EOS itself counts as a generated token, as in vLLM.
        int low = Math.max(1, request.minTokens());
        long span = request.maxTokens() + 2L - low;
        long h = hash.hashBytes(request.id().getBytes(StandardCharsets.UTF_8));
        int eos = low + (int) Math.floorMod(h, span);
        return eos > request.maxTokens()
                ? new Outcome(request.maxTokens(), FinishReason.LENGTH)
                : new Outcome(eos, FinishReason.STOP);
    }
}
