package dev.jetway.gateway.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusTextParserTest {

    @Test
    void readsNamesWithColonsLabelsAndSpecialValues() {
        List<PromSample> all = PrometheusTextParser.parse("""
                a:b:c{x="1",y="two words"} 1.5 1700000000000
                plain 42
                nan_metric NaN
                up{le="+Inf"} +Inf
                down -Inf
                """, null);
        assertThat(all).extracting(PromSample::name).containsExactly("a:b:c", "plain", "nan_metric", "up", "down");
        assertThat(all.get(0).labels()).containsEntry("x", "1").containsEntry("y", "two words");
        assertThat(all.get(0).value()).isEqualTo(1.5);
        assertThat(all.get(2).value()).isNaN();
        assertThat(all.get(3).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(all.get(3).label("le")).isEqualTo("+Inf");
        assertThat(all.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void unescapesLabelValues() {
        List<PromSample> s = PrometheusTextParser.parse("m{path=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",n=\"a\\nb\",c=\"x,y}\"} 1\n",
                null);
        assertThat(s.getFirst().labels()).containsEntry("path", "C:\\dir").containsEntry("q", "say \"hi\"")
                .containsEntry("n", "a\nb").containsEntry("c", "x,y}");
    }

    @Test
    void skipsUnwantedNamesWithoutParsingThem() {
        List<PromSample> s = PrometheusTextParser.parse("wanted 1\nunwanted{this is not even valid 2\n", Set.of("wanted"));
        assertThat(s).hasSize(1);
    }

    @Test
    void rejectsBrokenLines() {
        assertThatThrownBy(() -> PrometheusTextParser.parse("m{a=\"unterminated} 1\n", null))
                .isInstanceOf(PrometheusTextParser.MetricsFormatException.class);
        assertThatThrownBy(() -> PrometheusTextParser.parse("m notanumber\n", null))
                .isInstanceOf(PrometheusTextParser.MetricsFormatException.class);
        // found by fuzzing (PrometheusTextFuzzTest): a label's '=' then only spaces to the end read past the line
        for (String page : new String[] {"vllm:kv_cache_usage_perc{e=\r", "m{e=", "m{e= \t", "m{e=\r\nm 1\n"}) {
            assertThatThrownBy(() -> PrometheusTextParser.parse(page, null))
                    .isInstanceOf(PrometheusTextParser.MetricsFormatException.class)
                    .hasMessageContaining("has no quoted value");
        }
    }
}
