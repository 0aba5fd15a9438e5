package dev.jetway.scheduler.plugins.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.spi.Candidates;
import java.util.List;
import org.junit.jupiter.api.Test;

class FallbacksTest {

    private final List<Endpoint> eps = Fixtures.endpoints(4);
    private final Candidates candidates = new Candidates(eps);

    @Test
    void choiceComesFirstEvenWhenItsKeyIsNotTheLowest() {
        assertThat(Fallbacks.choiceThenLowest(candidates, 3, new double[] {2, 0, 1, 9}, 3))
                .containsExactly(eps.get(3), eps.get(1), eps.get(2));
    }

    @Test
    void equalKeysKeepCandidateOrder() {
        assertThat(Fallbacks.choiceThenLowest(candidates, 1, new double[] {5, 0, 5, 5}, 4))
                .containsExactly(eps.get(1), eps.get(0), eps.get(2), eps.get(3));
    }

    @Test
    void neverMoreThanTheCandidatesNorTheChoiceTwice() {
        assertThat(Fallbacks.choiceThenLowest(candidates, 0, new double[] {0, 1, 2, 3}, 100))
                .containsExactly(eps.get(0), eps.get(1), eps.get(2), eps.get(3));
    }
}
