package dev.jetway.bench.workload;

import static dev.jetway.bench.workload.SharedPrefixWorkloadTest.commonPrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixedWorkloadTest {

    private static final RagClass RAG = new RagClass(5, IntDistribution.of(300), 50, new IntDistribution.Normal(2000, 300, 1000, 3000),
            1.0, IntDistribution.of(40), new IntDistribution.Normal(150, 50, 50, 300));
    private static final CodingClass CODING = new CodingClass(2, IntDistribution.of(200),
            new IntDistribution.Normal(800, 300, 300, 2000), new IntDistribution.Normal(2000, 500, 1000, 3000));
    private static final ChatClass CHAT = new ChatClass(3, 4, 3, IntDistribution.of(500), IntDistribution.of(60),
            IntDistribution.of(100));

    private static MixedWorkload workload(long seed) {
        return new MixedWorkload(List.of(RAG, CODING, CHAT), seed);
    }

    @Test
    void classesTakeTheirShareOfRequestsAndTheMixIsDeterministic() {
        MixedWorkload w = workload(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(w.className(i), 1, Integer::sum);
        }
        assertThat(w.shares()).containsEntry("rag", 0.5);
        assertThat(counts.get("rag") / 10_000.0).isCloseTo(0.5, within(0.02));
        assertThat(counts.get("coding") / 10_000.0).isCloseTo(0.2, within(0.02));
        assertThat(counts.get("chat") / 10_000.0).isCloseTo(0.3, within(0.02));
        MixedWorkload again = workload(7);
        // asked out of order, a fresh instance gives the same requests
        assertThat(again.request(777)).isEqualTo(w.request(777));
        assertThat(again.request(3)).isEqualTo(w.request(3));
        assertThat(workload(8).request(777)).isNotEqualTo(w.request(777));
    }

    @Test
    void ragRequestsShareSystemPromptAndDocumentAndPopularDocumentsRecur() {
        MixedWorkload w = workload(1);
        Map<String, List<WorkloadRequest>> byDoc = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            if (w.className(i).equals("rag")) {
                WorkloadRequest r = w.request(i);
                byDoc.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<WorkloadRequest> top = byDoc.get("rag-doc-0");
        int rag = byDoc.values().stream().mapToInt(List::size).sum();
        // Zipf(1) over 50 documents: the most popular one takes 1/H(50) = 22% of retrievals
        assertThat(top.size() / (double) rag).isCloseTo(1 / harmonic(50), within(0.03));
        assertThat(byDoc.get("rag-doc-0").size()).isGreaterThan(byDoc.get("rag-doc-9").size());
        WorkloadRequest a = top.get(0);
        WorkloadRequest b = top.get(1);
        int docLen = a.prompt().segments().get(1).length();
        assertThat(docLen).isBetween(1000, 3000).isEqualTo(b.prompt().segments().get(1).length());
        assertThat(commonPrefix(a.prompt().tokens(), b.prompt().tokens())).isBetween(300 + docLen, 300 + docLen + 2);
        WorkloadRequest other = byDoc.get("rag-doc-1").get(0);
        assertThat(commonPrefix(a.prompt().tokens(), other.prompt().tokens())).isBetween(300, 302);
        assertThat(a.maxTokens()).isBetween(50, 300);
    }

    @Test
    void codingRequestsAreShortPromptsWithLongOutputs() {
        MixedWorkload w = workload(2);
        List<WorkloadRequest> coding = new ArrayList<>();
        for (int i = 0; coding.size() < 200; i++) {
            if (w.className(i).equals("coding")) {
                coding.add(w.request(i));
            }
        }
        assertThat(coding).allSatisfy(r -> {
            assertThat(r.prompt().tokenCount()).isBetween(500, 2200);
            assertThat(r.maxTokens()).isBetween(1000, 3000);
        });
        assertThat(commonPrefix(coding.get(0).prompt().tokens(), coding.get(1).prompt().tokens())).isBetween(200, 202);
        assertThat(coding.stream().map(WorkloadRequest::sessionId).distinct()).hasSize(200);
    }

    @Test
    void chatTurnsExtendThePreviousTurnAndItsEngineAnswer() {
        MixedWorkload w = workload(3);
        Map<String, List<WorkloadRequest>> bySession = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            if (w.className(i).equals("chat")) {
                WorkloadRequest r = w.request(i);
                bySession.computeIfAbsent(r.sessionId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<WorkloadRequest> session = bySession.get("chat-0");
        assertThat(session).hasSize(3); // three turns, then conversation 4 takes over session slot 0
        for (int t = 1; t < 3; t++) {
            Prompt previous = session.get(t - 1).prompt();
            int[] expected = previous.append(previous.engineAnswer(session.get(t - 1).maxTokens())).tokens();
            int[] turn = session.get(t).prompt().tokens();
            assertThat(Arrays.copyOf(turn, expected.length)).as("turn %d starts with turn %d and its answer", t, t - 1)
                    .containsExactly(expected);
            assertThat(turn.length).isEqualTo(expected.length + 60);
        }
        assertThat(session.getFirst().prompt().tokenCount()).isEqualTo(560);
        assertThat(bySession.get("chat-4").getFirst().prompt().tokenCount()).isEqualTo(560);
        // every session starts with the application's system prompt
        assertThat(commonPrefix(session.getFirst().prompt().tokens(), bySession.get("chat-1").getFirst().prompt().tokens()))
                .isBetween(500, 502);
    }

    @Test
    void zipfSamplerIsExactAndUniformAtExponentZero() {
        ZipfSampler z = new ZipfSampler(4, 1.0);
        double h = harmonic(4);
        assertThat(z.probability(0)).isCloseTo(1 / h, within(1e-12));
        assertThat(z.probability(3)).isCloseTo(0.25 / h, within(1e-12));
        assertThat(z.rank(0.0)).isZero();
        assertThat(z.rank(1 / h - 1e-9)).isZero();
        assertThat(z.rank(1 / h + 1e-9)).isEqualTo(1);
        assertThat(z.rank(0.999999)).isEqualTo(3);
        ZipfSampler uniform = new ZipfSampler(5, 0);
        assertThat(uniform.probability(4)).isCloseTo(0.2, within(1e-12));
    }

    private static double harmonic(int n) {
        double h = 0;
        for (int k = 1; k <= n; k++) {
            h += 1.0 / k;
        }
        return h;
    }
}
