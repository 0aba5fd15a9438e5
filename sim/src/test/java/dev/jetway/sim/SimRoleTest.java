package dev.jetway.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replicas with P/D roles refuse the other role's leg of a split request and serve everything else. */
class SimRoleTest {

    static SimCluster cluster;
    static SimClient prefill;
    static SimClient decode;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults("pd").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(4096), List.of(SimRole.PREFILL, SimRole.DECODE));
        prefill = new SimClient(cluster.replicas().get(0));
        decode = new SimClient(cluster.replicas().get(1));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void eachReplicaHasItsRole() {
        assertThat(cluster.replicas()).extracting(SimReplica::role).containsExactly(SimRole.PREFILL, SimRole.DECODE);
        assertThat(SimRole.parse(" Decode ")).isEqualTo(SimRole.DECODE);
        assertThatThrownBy(() -> SimRole.parse("encode")).hasMessageContaining("prefill, decode or both");
    }

    @Test
    void theOtherRolesLegIsRefusedWithA400SayingWhy() {
        var decodeLegOnPrefill = prefill.post("/v1/completions", "{\"model\":\"pd\",\"prompt\":\"x\","
                + "\"kv_transfer_params\":{\"do_remote_prefill\":true,\"remote_engine_id\":\"e\","
                + "\"remote_block_ids\":[1],\"remote_host\":\"h\",\"remote_port\":1}}");
        assertThat(decodeLegOnPrefill.statusCode()).isEqualTo(400);
        assertThat(decodeLegOnPrefill.body()).contains("serves the prefill role");
        var prefillLegOnDecode = decode.post("/v1/completions", "{\"model\":\"pd\",\"prompt\":\"x\",\"max_tokens\":1,"
                + "\"kv_transfer_params\":{\"do_remote_decode\":true}}");
        assertThat(prefillLegOnDecode.statusCode()).isEqualTo(400);
        assertThat(prefillLegOnDecode.body()).contains("serves the decode role");
    }

    @Test
    void plainRequestsAreServedWhateverTheRole() {
        for (SimClient c : List.of(prefill, decode)) {
            assertThat(c.post("/v1/completions", "{\"model\":\"pd\",\"prompt\":\"hello\",\"max_tokens\":2}")
                    .statusCode()).isEqualTo(200);
        }
    }
}
