package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedPrefixWorkloadTest {

    private static SharedPrefixWorkload workload(boolean multiTurn) {
        return new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(4, 3, IntDistribution.of(200),
                IntDistribution.of(50), IntDistribution.of(30), 7, multiTurn));
    }

    @Test
    void promptsHaveExactTokenLengthsAndTextTokenizesToTheSameIds() {
        SharedPrefixWorkload w = workload(false);
        for (int i = 0; i < 12; i++) {
            WorkloadRequest r = w.request(i);
            String text = r.prompt().text();
            assertThat(r.prompt().tokenCount()).isEqualTo(250);
            assertThat(SimpleWordTokenizer.instance().encode(text)).containsExactly(r.prompt().tokens());
            assertThat(r.maxTokens()).isEqualTo(30);
        }
    }

    @Test
    void promptsOfAGroupShareExactlyTheSystemPromptAndGroupsShareNothing() {
        SharedPrefixWorkload w = workload(false);
        for (int i = 0; i < 12; i++) {
            for (int j = i + 1; j < 12; j++) {
                WorkloadRequest a = w.request(i);
                WorkloadRequest b = w.request(j);
                int common = commonPrefix(a.prompt().tokens(), b.prompt().tokens());
                if (a.sessionId().equals(b.sessionId())) {
                    assertThat(common).as("same group %s", a.sessionId()).isEqualTo(200);
                } else {
                    assertThat(common).as("%s vs %s", a.sessionId(), b.sessionId()).isLessThan(200);
                }
            }
        }
    }

    @Test
    void everyPromptIsIssuedOnceInAShuffledOrderThenTheCycleRepeats() {
        SharedPrefixWorkload w = workload(false);
        Set<String> firstCycle = new HashSet<>();
        boolean inGroupOrder = true;
        for (int i = 0; i < 12; i++) {
            firstCycle.add(w.request(i).prompt().text());
            assertThat(w.request(i + 12).prompt()).isEqualTo(w.request(i).prompt());
            inGroupOrder &= w.request(i).sessionId().equals("group-" + (i / 3));
        }
        assertThat(firstCycle).hasSize(12);
        assertThat(inGroupOrder).as("shuffled, not in group order").isFalse();
    }

    @Test
    void sameSeedSameSequence() {
        assertThat(workload(false).request(5).prompt().text()).isEqualTo(workload(false).request(5).prompt().text());
    }

    @Test
    void multiTurnGrowsEachUsersPromptByItsEarlierTurns() {
        SharedPrefixWorkload w = workload(true);
        WorkloadRequest first = w.request(0);
        WorkloadRequest second = w.request(12); // same user, next turn
        assertThat(second.sessionId()).isEqualTo(first.sessionId());
        assertThat(second.prompt().tokenCount()).isEqualTo(200 + 50 + 30 + 50);
        assertThat(commonPrefix(first.prompt().tokens(), second.prompt().tokens())).isEqualTo(250);
    }

    @Test
    void distributionsStayWithinTheirBounds() {
        SharedPrefixWorkload w = new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(10, 10,
                new IntDistribution.Normal(100, 30, 80, 120), new IntDistribution.Normal(20, 10, 5, 25),
                IntDistribution.of(10), 1, false));
        for (int i = 0; i < 100; i++) {
            assertThat(w.request(i).prompt().tokenCount()).isBetween(85, 145);
        }
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
