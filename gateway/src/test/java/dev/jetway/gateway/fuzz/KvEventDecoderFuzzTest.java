package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jetway.kvcache.event.KvEventDecoder;
import dev.jetway.kvcache.event.MalformedKvEventException;
import org.junit.jupiter.api.Tag;

/**
 * A KV-event message is msgpack from a model server's ZMQ publisher: any bytes decode to an event batch or are refused
 * with {@link MalformedKvEventException}, never another exception, and never an allocation sized by a claimed length
 * (the fuzz profile runs with a small heap, so one would fail the run).
 */
@Tag("fuzz")
class KvEventDecoderFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void anyPayloadDecodesOrIsRefused(byte[] payload) {
        try {
            KvEventDecoder.decode(payload);
        } catch (MalformedKvEventException e) {
            // a clear refusal
        }
    }
}
