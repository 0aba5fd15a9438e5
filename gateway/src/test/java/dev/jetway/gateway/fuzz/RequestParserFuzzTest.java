package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.gateway.request.BadRequestException;
import dev.jetway.gateway.request.ParsedRequest;
import dev.jetway.gateway.request.RequestParser;
import org.junit.jupiter.api.Tag;

/**
 * A request body is the client's: any bytes parse into what routing needs or get a {@link BadRequestException} (a 400
 * naming what is wrong), never another exception, whatever the nesting, encoding or size.
 */
@Tag("fuzz")
class RequestParserFuzzTest {

    private static final RequestParser PARSER = new RequestParser(64 * 1024);

    @FuzzTest(maxDuration = "1m")
    void anyBodyParsesOrIsA400(FuzzedDataProvider data) {
        ApiKind kind = data.pickValue(ApiKind.values());
        byte[] body = data.consumeRemainingAsBytes();
        try {
            ParsedRequest parsed = PARSER.parse(kind, body);
            if (parsed.model() == null || parsed.model().isEmpty()) {
                throw new AssertionError("parsed without a model: " + new String(body,
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (BadRequestException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a 400 without a message", e);
            }
        }
    }
}
