package dev.jetway.kvcache.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvEventMessageTest {

    @Test
    void topicSplitsIntoPrefixEndpointAndModel() {
        KvTopic topic = KvTopic.parse("kv@10.0.0.7:8000@Qwen/Qwen3-32B");
        assertThat(topic).isEqualTo(new KvTopic("kv", "10.0.0.7:8000", "Qwen/Qwen3-32B"));
        assertThat(topic.toString()).isEqualTo("kv@10.0.0.7:8000@Qwen/Qwen3-32B");
        assertThat(KvTopic.of("[::1]:8001", "m").toString()).isEqualTo("kv@[::1]:8001@m");
    }

    @Test
    void topicWithoutExactlyThreeNonEmptyPartsIsRejected() {
        for (String bad : new String[] {"kv@10.0.0.7", "kv@a@b@c", "kv@@m", "@a:1@m", "kv@a:1@"}) {
            assertThatThrownBy(() -> KvTopic.parse(bad)).as(bad).isInstanceOf(MalformedKvEventException.class);
        }
    }

    @Test
    void sequenceIsEightBytesBigEndianUnsigned() {
        assertThat(KvEventMessage.encodeSeq(258)).containsExactly(0, 0, 0, 0, 0, 0, 1, 2);
        assertThat(KvEventMessage.decodeSeq(new byte[] {0, 0, 0, 0, 0, 0, 1, 2})).isEqualTo(258);
        assertThat(KvEventMessage.decodeSeq(new byte[] {-1, -1, -1, -1, -1, -1, -1, -2})).isEqualTo(-2L);
        assertThatThrownBy(() -> KvEventMessage.decodeSeq(new byte[4]))
                .isInstanceOf(MalformedKvEventException.class).hasMessageContaining("8 bytes");
    }

    @Test
    void framesRoundTripAndTheReplayEndMarkerIsRecognised() {
        KvEventBatch batch = new KvEventBatch(3, List.of(new KvEvent.AllBlocksCleared()), null);
        KvEventMessage message = KvEventMessage.of(KvTopic.of("127.0.0.1:8000", "m"), 5, batch);
        byte[][] frames = message.frames();
        assertThat(new String(frames[0], StandardCharsets.UTF_8)).isEqualTo("kv@127.0.0.1:8000@m");

        KvEventMessage received = KvEventMessage.fromFrames(frames[0], frames[1], frames[2]);

        assertThat(received.topic()).isEqualTo(message.topic());
        assertThat(received.seq()).isEqualTo(5);
        assertThat(received.batch()).isEqualTo(batch);
        assertThat(KvEventMessage.isReplayEnd(new byte[0], KvEventMessage.encodeSeq(-1))).isTrue();
        assertThat(KvEventMessage.isReplayEnd(frames[0], frames[1])).isFalse();
    }
}
