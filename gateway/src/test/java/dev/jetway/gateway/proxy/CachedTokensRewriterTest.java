package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CachedTokensRewriterTest {

    private static String rewrite(String body, long cached, int chunk) {
        CachedTokensRewriter r = new CachedTokensRewriter(cached);
        StringBuilder out = new StringBuilder();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunk) {
            ByteBuf in = Unpooled.copiedBuffer(bytes, i, Math.min(chunk, bytes.length - i));
            ByteBuf o = r.rewrite(in, ByteBufAllocator.DEFAULT);
            out.append(o.toString(StandardCharsets.UTF_8));
            o.release();
            assertThat(in.refCnt()).isZero();
        }
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void replacesEveryCachedTokensValueWhereverTheChunksSplitIt(int chunk) {
        String body = "data: {\"usage\":{\"prompt_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n"
                + "data: {\"usage\": {\"prompt_tokens_details\": {\"cached_tokens\" : null}}}\n\ndata: [DONE]\n\n";
        assertThat(rewrite(body, 4800, chunk)).isEqualTo(body.replace("\"cached_tokens\":0", "\"cached_tokens\":4800")
                .replace("\"cached_tokens\" : null", "\"cached_tokens\" : 4800"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 1000})
    void leavesTextAndOtherFieldsAlone(int chunk) {
        String body = "{\"choices\":[{\"text\":\"the \\\"cached_tokens\\\": 12 field\"}],\"x\":\"cached_tokens\","
                + "\"cached_tokens_total\":5,\"cached_tokens\":{\"a\":1}}";
        assertThat(rewrite(body, 7, chunk)).isEqualTo(body);
    }
}
