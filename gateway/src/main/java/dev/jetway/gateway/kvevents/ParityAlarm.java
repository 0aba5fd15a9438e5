package dev.jetway.gateway.kvevents;

import dev.jetway.kvcache.index.precise.ParityHint;
import dev.jetway.kvcache.index.precise.ParityReport;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, at most once a minute per pool, when Jetway's request keys stop agreeing with the blocks the engines
 * report: the silent failure that turns prefix-aware routing into load balancing. Names the likely cause.
 */
final class ParityAlarm {

    private static final Logger log = LoggerFactory.getLogger(ParityAlarm.class);
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String pool;
    private long lastWarning = Long.MIN_VALUE;

    ParityAlarm(String pool) {
        this.pool = pool;
    }

    /** Looks at the pool's parity now; returns true if it warned. */
    boolean check(ParityReport report, int blockSize, String tokenizer, long nowNanos) {
        boolean bad = report.hint() == ParityHint.BLOCK_SIZE_MISMATCH || report.hint() == ParityHint.TOKENS_DIFFER;
        if (!bad || (lastWarning != Long.MIN_VALUE && nowNanos - lastWarning < INTERVAL_NANOS)) {
            return false;
        }
        lastWarning = nowNanos;
        if (report.hint() == ParityHint.BLOCK_SIZE_MISMATCH) {
            log.warn("pool {}: KV hash parity {} over {} routed requests: engines report {}-token blocks, Jetway "
                            + "is configured with {} (tokenProcessorConfig.blockSize must equal vLLM --block-size)",
                    pool, ratio(report), report.samples(), report.engineBlockSize(), blockSize);
        } else {
            log.warn("pool {}: KV hash parity {} over {} routed requests: the engines cached other tokens than "
                            + "Jetway hashed with tokenizer {}: check the tokenizer, the chat template, the cache salt "
                            + "and the model/LoRA name (see docs/precise-routing.md)",
                    pool, ratio(report), report.samples(), tokenizer);
        }
        return true;
    }

    private static String ratio(ParityReport r) {
        return Double.isNaN(r.ratio()) ? "n/a" : String.format("%.2f", r.ratio());
    }
}
