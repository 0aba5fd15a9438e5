package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jetway.gateway.proxy.OutputTokenCounter;
import org.junit.jupiter.api.Tag;

/**
 * The relay reads every response body it passes on through {@link OutputTokenCounter}: whatever a model server sends,
 * in whatever pieces the network cuts it, the counter never throws and counts the same as when it sees the bytes in
 * one piece (chunk boundaries may fall anywhere, inside a key, a number or an escape).
 */
@Tag("fuzz")
class OutputTokenCounterFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void countsTheSameHoweverTheBodyIsCut(FuzzedDataProvider data) {
        boolean sse = data.consumeBoolean();
        int[] cuts = data.consumeInts(16);
        byte[] body = data.consumeRemainingAsBytes();
        OutputTokenCounter whole = sse ? OutputTokenCounter.forEventStream() : OutputTokenCounter.forJsonBody();
        whole.scan(body, 0, body.length);
        OutputTokenCounter pieces = sse ? OutputTokenCounter.forEventStream() : OutputTokenCounter.forJsonBody();
        int at = 0;
        for (int cut : cuts) {
            int n = body.length == 0 ? 0 : Math.floorMod(cut, body.length - at + 1);
            pieces.scan(body, at, n);
            at += n;
        }
        pieces.scan(body, at, body.length - at);
        if (whole.outputTokens() != pieces.outputTokens() || whole.contentChunks() != pieces.contentChunks()
                || whole.usageCompletionTokens() != pieces.usageCompletionTokens()) {
            throw new AssertionError("counted " + whole.outputTokens() + "/" + whole.contentChunks() + "/"
                    + whole.usageCompletionTokens() + " whole but " + pieces.outputTokens() + "/"
                    + pieces.contentChunks() + "/" + pieces.usageCompletionTokens() + " in pieces");
        }
        if (whole.outputTokens() < -1) {
            throw new AssertionError("a negative count " + whole.outputTokens());
        }
    }
}
