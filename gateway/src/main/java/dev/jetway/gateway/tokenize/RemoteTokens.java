package dev.jetway.gateway.tokenize;

import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.ParsedRequest;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request's prompt tokenized by the model server. When the server cannot tokenize (down, slow, backing off after
 * either), the request is still routed, with the scheduler's estimate of its length and no token ids: prefix scoring
 * then sees no match for it. Each fallback is counted by reason ({@code jetway_engine_tokenizer_fallbacks_total}) and
 * a warning is logged (1st, 2nd, 4th, 8th... failure) so the degradation is visible.
 */
public final class RemoteTokens {

    private static final Logger log = LoggerFactory.getLogger(RemoteTokens.class);
    private static final AtomicLong FAILURES = new AtomicLong();
    private static final Map<RemoteTokenizer.Failure, AtomicLong> BY_REASON = new EnumMap<>(RemoteTokenizer.Failure.class);

    static {
        for (RemoteTokenizer.Failure f : RemoteTokenizer.Failure.values()) {
            BY_REASON.put(f, new AtomicLong());
        }
    }

    private RemoteTokens() {
    }

    /** Token ids of the request, or null when the model server could not tokenize it. */
    public static int[] of(RemoteTokenizer tokenizer, ParsedRequest parsed) {
        try {
            if (parsed.kind() == ApiKind.CHAT_COMPLETIONS) {
                return tokenizer.encodeChat(parsed.messages(), parsed.addGenerationPrompt());
            }
            return parsed.promptText() == null ? null : tokenizer.encode(parsed.promptText());
        } catch (RuntimeException e) {
            RemoteTokenizer.Failure reason = e instanceof RemoteTokenizer.TokenizationException t ? t.failure()
                    : RemoteTokenizer.Failure.ERROR;
            BY_REASON.get(reason).incrementAndGet();
            long n = FAILURES.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                log.warn("{}: routing with the estimate, without engine tokens (failure #{}): {}", tokenizer.name(), n,
                        e.getMessage());
            }
            return null;
        }
    }

    /** Tokenization failures so far. */
    public static long failures() {
        return FAILURES.get();
    }

    /** Requests routed with the estimate because of {@code reason}, so far (all tokenizers of this process). */
    public static long fallbacks(RemoteTokenizer.Failure reason) {
        return BY_REASON.get(reason).get();
    }
}
