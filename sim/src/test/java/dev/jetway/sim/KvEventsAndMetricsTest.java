package dev.jetway.sim;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventMessage;
import dev.jetway.kvcache.event.KvTopic;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.sim.kvevents.ReplayClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** KV events over a real ZMQ SUB socket, and {@code /metrics} as a Prometheus scraper reads it. */
class KvEventsAndMetricsTest {

    static SimCluster cluster;
    static SimReplica replica;
    static SimClient client;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults("kv-model").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(4096).withKvEvents("tcp://127.0.0.1:0")
                .withKvEventsReplay("tcp://127.0.0.1:0"), 2);
        replica = cluster.replicas().getFirst();
        client = new SimClient(replica);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void eachReplicaPublishesOnItsOwnPortAndTopic() {
        SimReplica second = cluster.replicas().get(1);
        assertThat(second.kvEventsPort()).isPositive().isNotEqualTo(replica.kvEventsPort());
        assertThat(replica.kvEventsTopic()).isEqualTo("kv@127.0.0.1:" + replica.httpPort() + "@kv-model");
    }

    @Test
    void eachReplicaServesReplayOfWhatItPublished() {
        SimReplica second = cluster.replicas().get(1);
        assertThat(second.kvEventsReplayEndpoint()).isNotNull().isNotEqualTo(replica.kvEventsReplayEndpoint());
        assertThat(second.kvEventsReplayEndpoint()).isNotEqualTo(second.kvEventsEndpoint());
        try (ReplayClient replay = new ReplayClient(second.kvEventsReplayEndpoint())) {
            int[] prompt = new int[33]; // two full blocks, so the engine stores (and publishes) blocks
            Arrays.setAll(prompt, i -> 90_000 + i);
            new SimClient(second).postJson("/v1/completions", "{\"model\":\"kv-model\",\"prompt\":"
                    + Arrays.toString(prompt) + ",\"max_tokens\":1}");
            // A batch goes out at most one second after its first event.
            List<ReplayClient.Replayed> replayed = await().pollInSameThread().atMost(Duration.ofSeconds(20))
                    .until(() -> replay.replayFrom(0), r -> !r.isEmpty());
            assertThat(replayed.getFirst().seq()).isZero();
            KvEventBatch batch = new KvEventMessage(KvTopic.parse(second.kvEventsTopic()), 0,
                    replayed.getFirst().payload()).batch();
            assertThat(batch.events()).isNotEmpty();
        }
    }

    @Test
    void blockStoredEventsCarryThePromptTokensAndResetClearsAll() {
        List<int[]> sent = new ArrayList<>();
        try (ZContext context = new ZContext(); ZMQ.Socket sub = context.createSocket(SocketType.SUB)) {
            sub.setReceiveTimeOut(200);
            // JeroMQ 0.6.0 now and then loses the poller registration of a freshly connected socket on the
            // connecting side (about 2 % of connects on a busy host): the ZMTP handshake then stalls, and the SUB does
            // not even notice the publisher closing, until its handshake timer (30 s by default) drops the connection
            // and reconnects. A short timer turns that stall into a retry after 2 s.
            sub.setHandshakeIvl(2_000);
            sub.subscribe("kv@".getBytes());
            sub.connect(replica.kvEventsEndpoint());
            List<KvEventMessage> messages = new ArrayList<>();
            List<KvEvent> events = new ArrayList<>();
            // A SUB socket misses what was published before it joined: send fresh prompts until events flow. The
            // condition runs on this thread: a ZMQ socket must stay on the thread that uses it.
            await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
                int[] prompt = new int[33];
                Arrays.setAll(prompt, i -> 1000 * (sent.size() + 1) + i);
                sent.add(prompt);
                client.postJson("/v1/completions", "{\"model\":\"kv-model\",\"prompt\":" + Arrays.toString(prompt)
                        + ",\"max_tokens\":1}");
                receive(sub, messages, events, Duration.ofMillis(3000), KvEvent.BlockStored.class);
                return events.stream().anyMatch(e -> e instanceof KvEvent.BlockStored);
            });
            KvEventMessage first = messages.getFirst();
            assertThat(first.topic().toString()).isEqualTo(replica.kvEventsTopic());
            for (int i = 1; i < messages.size(); i++) {
                assertThat(messages.get(i).seq()).isEqualTo(messages.get(i - 1).seq() + 1);
            }
            KvEvent.BlockStored stored = (KvEvent.BlockStored) events.stream()
                    .filter(e -> e instanceof KvEvent.BlockStored).findFirst().orElseThrow();
            assertThat(stored.blockSize()).isEqualTo(16);
            assertThat(stored.parentBlockHash()).isNull();
            assertThat(stored.blockHashes()).hasSize(2);
            assertThat(sent).anySatisfy(prompt -> assertThat(stored.tokenIds()).containsExactly(Arrays.copyOf(prompt, 32)));

            cluster.resetAll().join();
            await().pollInSameThread().atMost(Duration.ofSeconds(15)).until(() -> {
                receive(sub, messages, events, Duration.ofMillis(3000), KvEvent.AllBlocksCleared.class);
                return events.getLast() instanceof KvEvent.AllBlocksCleared;
            });
        }
        // Cold again: the same prompt hits nothing.
        var again = client.postJson("/v1/completions", "{\"model\":\"kv-model\",\"prompt\":"
                + Arrays.toString(sent.getLast()) + ",\"max_tokens\":1}");
        assertThat(again.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt()).isZero();
    }

    /** Receives messages for at most {@code within}, stopping early once an event of type {@code until} came. */
    private static void receive(ZMQ.Socket sub, List<KvEventMessage> messages, List<KvEvent> events,
                                Duration within, Class<? extends KvEvent> until) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline && events.stream().noneMatch(until::isInstance)) {
            byte[] topic = sub.recv();
            if (topic == null) {
                continue;
            }
            assertThat(sub.hasReceiveMore()).isTrue();
            byte[] seq = sub.recv();
            assertThat(seq).hasSize(8);
            byte[] payload = sub.recv();
            assertThat(sub.hasReceiveMore()).isFalse();
            KvEventMessage message = KvEventMessage.fromFrames(topic, seq, payload);
            KvEventBatch batch = message.batch();
            assertThat(batch.events()).hasSizeBetween(1, 16);
            messages.add(message);
            events.addAll(batch.events());
        }
    }

    @Test
    void metricsParseAsPrometheusTextAndReflectActivity() {
        SimReplica second = cluster.replicas().get(1);
        SimClient other = new SimClient(second);
        PrometheusSamples before = PrometheusSamples.parse(other.get("/metrics").body());
        String prompt = "metrics are counted in tokens for every request";
        int promptTokens = SimpleWordTokenizer.instance().count(prompt);
        other.postJson("/v1/completions", "{\"model\":\"kv-model\",\"prompt\":\"" + prompt
                + "\",\"max_tokens\":3,\"ignore_eos\":true}");
        // The answer can reach the client a moment before the engine thread has counted its last step (vLLM's own
        // stats are asynchronous too), so the counters are read until they settle.
        PrometheusSamples[] last = new PrometheusSamples[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var response = other.get("/metrics");
            assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            PrometheusSamples after = PrometheusSamples.parse(response.body());
            last[0] = after;

            String labels = "{engine=\"0\",model_name=\"kv-model\"}";
            assertThat(after.value("vllm:prompt_tokens_total" + labels)
                    - before.value("vllm:prompt_tokens_total" + labels)).isEqualTo(promptTokens);
            assertThat(after.value("vllm:generation_tokens_total" + labels)
                    - before.value("vllm:generation_tokens_total" + labels)).isEqualTo(3);
            assertThat(after.value("vllm:request_success_total{engine=\"0\",model_name=\"kv-model\",finished_reason=\"length\"}")
                    - before.value("vllm:request_success_total{engine=\"0\",model_name=\"kv-model\",finished_reason=\"length\"}"))
                    .isEqualTo(1);
            assertThat(after.value("vllm:time_to_first_token_seconds_count" + labels)
                    - before.value("vllm:time_to_first_token_seconds_count" + labels)).isEqualTo(1);
            assertThat(after.value("vllm:inter_token_latency_seconds_count" + labels)
                    - before.value("vllm:inter_token_latency_seconds_count" + labels)).isEqualTo(2);
            assertThat(after.value("vllm:e2e_request_latency_seconds_bucket{engine=\"0\",model_name=\"kv-model\",le=\"+Inf\"}"))
                    .isEqualTo(after.value("vllm:e2e_request_latency_seconds_count" + labels));
            assertThat(after.value("vllm:request_queue_time_seconds_sum" + labels)).isGreaterThanOrEqualTo(0);
            assertThat(after.value("vllm:prefix_cache_queries_total" + labels)).isGreaterThanOrEqualTo(promptTokens);
            assertThat(after.value("vllm:prefix_cache_hits_total" + labels)).isGreaterThanOrEqualTo(0);
            assertThat(after.value("vllm:num_requests_running" + labels)).isZero();
            assertThat(after.value("vllm:num_requests_waiting" + labels)).isZero();
            assertThat(after.value("vllm:kv_cache_usage_perc" + labels)).isBetween(0.0, 1.0);
            assertThat(after.value("vllm:num_preemptions_total" + labels)).isZero();
            assertThat(after.keys()).anyMatch(k -> k.startsWith("vllm:cache_config_info{block_size=\"16\"")
                    && k.contains("num_gpu_blocks=\"26624\""));
        });
        PrometheusSamples after = last[0];
        for (String type : List.of("vllm:num_requests_running", "vllm:time_to_first_token_seconds",
                "vllm:prompt_tokens_total", "vllm:lora_requests_info")) {
            assertThat(after.hasType(type)).as(type).isTrue();
        }
    }
}
