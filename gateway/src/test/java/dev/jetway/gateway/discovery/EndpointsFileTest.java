package dev.jetway.gateway.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.ConfigLoader.ConfigException;
import dev.jetway.gateway.config.EndpointConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointsFileTest {

    private static List<EndpointConfig> parse(String text) {
        return EndpointsFile.parse(text.getBytes(StandardCharsets.UTF_8), "eps.yaml");
    }

    @Test
    void readsJetwayEntries() {
        var eps = parse("""
                endpoints:
                  - {address: 10.0.0.1:8000, role: decode, labels: {zone: a}}
                  - address: 10.0.0.2:8000
                    kvEvents: tcp://10.0.0.2:5557
                """);
        assertThat(eps).extracting(EndpointConfig::address).containsExactly("10.0.0.1:8000", "10.0.0.2:8000");
        assertThat(eps.getFirst().effectiveLabels()).isEqualTo(Map.of("zone", "a", "llm-d.ai/role", "decode"));
        assertThat(eps.get(1).kvEvents()).isEqualTo("tcp://10.0.0.2:5557");
    }

    @Test
    void readsLlmdFileDiscoveryEntries() {
        var eps = parse("""
                endpoints:
                  - name: vllm-0
                    namespace: default
                    address: "10.0.0.1"
                    port: "8000"
                    labels: {llm-d.ai/role: prefill}
                """);
        assertThat(eps).singleElement().satisfies(e -> {
            assertThat(e.address()).isEqualTo("10.0.0.1:8000");
            assertThat(e.effectiveLabels()).containsEntry("llm-d.ai/role", "prefill");
        });
    }

    @Test
    void readsJsonABareListAndNothing() {
        assertThat(parse("[{\"address\": \"127.0.0.1:9000\"}, {\"address\": \"::1\", \"port\": 9001}]"))
                .extracting(EndpointConfig::address).containsExactly("127.0.0.1:9000", "[::1]:9001");
        assertThat(parse("")).isEmpty();
        assertThat(parse("endpoints: []")).isEmpty();
        assertThat(parse("endpoints:")).isEmpty();
    }

    @Test
    void reportsEveryProblemWithItsEntry() {
        assertThatThrownBy(() -> parse("""
                endpoints:
                  - {address: 10.0.0.1:8000, adress: x}
                  - {address: nope}
                  - {address: 10.0.0.1:8000}
                  - {address: 10.0.0.3:8000, role: chef}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("eps.yaml")
                .hasMessageContaining("endpoints[0]: unknown key 'adress'")
                .hasMessageContaining("endpoints[1]: address must be host:port, got nope")
                .hasMessageContaining("endpoints[3]").message().doesNotContain("endpoints[2]");
        assertThatThrownBy(() -> parse("endpoints: [{address: 10.0.0.3:8000, role: chef}]"))
                .hasMessageContaining("role must be decode, prefill or both");
    }

    @Test
    void refusesWhatIsNotAnEndpointList() {
        assertThatThrownBy(() -> parse("endpoints: {address: x}")).hasMessageContaining("'endpoints' must be a list");
        assertThatThrownBy(() -> parse("pools: []")).hasMessageContaining("only the key 'endpoints'");
        assertThatThrownBy(() -> parse("endpoints: [")).hasMessageContaining("not valid YAML or JSON");
        assertThatThrownBy(() -> parse("""
                endpoints:
                  - {address: 10.0.0.1:8000}
                  - {address: 10.0.0.1, port: 8000}
                """)).hasMessageContaining("endpoints[1]: 10.0.0.1:8000 is listed twice");
    }
}
