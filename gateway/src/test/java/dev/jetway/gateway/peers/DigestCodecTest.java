package dev.jetway.gateway.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.InFlightCounts;
import dev.jetway.scheduler.sync.EndpointLoad;
import dev.jetway.scheduler.sync.RoutedBlocks;
import dev.jetway.scheduler.sync.RoutingDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestCodecTest {

    @Test
    void aDigestSurvivesTheWireInPartsUnderTheAdminLimit() {
        List<RoutedBlocks> routed = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long[] keys = new long[400];
            Arrays.fill(keys, i);
            routed.add(new RoutedBlocks("approx-prefix-cache-producer", "10.0.0." + i + ":8000", keys));
        }
        List<EndpointLoad> load = List.of(new EndpointLoad("10.0.0.1:8000", new InFlightCounts(3, 100, 900, 1)));
        RoutingDigest digest = new RoutingDigest("peer-1", 7, routed, load, 2);
        List<byte[]> parts = DigestCodec.encode("pool", digest);
        assertThat(parts).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.length)
                .isLessThanOrEqualTo(DigestCodec.MAX_PART_BYTES));
        List<RoutedBlocks> back = new ArrayList<>();
        for (byte[] p : parts) {
            DigestCodec.Received r = DigestCodec.decode(p);
            assertThat(r.pool()).isEqualTo("pool");
            assertThat(r.digest().sender()).isEqualTo("peer-1");
            assertThat(r.digest().sequence()).isEqualTo(7);
            assertThat(r.digest().load()).isEqualTo(load);
            back.addAll(r.digest().routed());
        }
        assertThat(back).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(back.get(i).endpointId()).isEqualTo(routed.get(i).endpointId());
            assertThat(back.get(i).keys()).isEqualTo(routed.get(i).keys());
        }
    }

    @Test
    void anEmptyDigestIsOnePart() {
        List<byte[]> parts = DigestCodec.encode("p", new RoutingDigest("x", 1, List.of(), List.of(), 0));
        assertThat(parts).hasSize(1);
        assertThat(DigestCodec.decode(parts.getFirst()).digest().routed()).isEmpty();
    }

    @Test
    void malformedBodiesFailWithoutAllocatingWhatTheyClaim() {
        assertThatThrownBy(() -> DigestCodec.decode(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        byte[] ok = DigestCodec.encode("p", new RoutingDigest("x", 1,
                List.of(new RoutedBlocks("a", "e", new long[] {1, 2})), List.of(), 0)).getFirst();
        assertThatThrownBy(() -> DigestCodec.decode(Arrays.copyOf(ok, ok.length - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] lying = ok.clone();
        // the record count sits after magic, "p", "x", sequence and dropped: claim two billion records
        int at = 4 + 3 + 3 + 8 + 8;
        lying[at] = 0x7f;
        assertThatThrownBy(() -> DigestCodec.decode(lying)).hasMessageContaining("exceeds");
    }

    @Test
    void aNegativeInFlightCountIsRefused() {
        // found by PeerDigestFuzzTest: a load of -134,217,727 prefills was applied, making the endpoint look emptier
        // than idle
        for (InFlightCounts counts : List.of(new InFlightCounts(-1, 0, 0, 0), new InFlightCounts(0, -1, 0, 0),
                new InFlightCounts(0, 0, -1, 0), new InFlightCounts(2, 300, 900, -134_217_727))) {
            byte[] part = DigestCodec.encode("p", new RoutingDigest("x", 1, List.of(),
                    List.of(new EndpointLoad("10.0.0.1:8000", counts)), 0)).getFirst();
            assertThatThrownBy(() -> DigestCodec.decode(part)).as(counts.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative in-flight count");
        }
    }
}
