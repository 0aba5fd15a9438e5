package dev.jetway.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantityTest {

    @Test
    void binaryAndDecimalSuffixesAsKubernetesReadsThem() {
        assertThat(Quantity.parse("1Gi")).isEqualTo(1L << 30);
        assertThat(Quantity.parse("10Gi")).isEqualTo(10L << 30);
        assertThat(Quantity.parse("512Mi")).isEqualTo(512L << 20);
        assertThat(Quantity.parse("1Ki")).isEqualTo(1024);
        assertThat(Quantity.parse("500M")).isEqualTo(500_000_000);
        assertThat(Quantity.parse("1G")).isEqualTo(1_000_000_000);
        assertThat(Quantity.parse("1k")).isEqualTo(1000);
        assertThat(Quantity.parse("2T")).isEqualTo(2_000_000_000_000L);
        assertThat(Quantity.parse("100")).isEqualTo(100);
        assertThat(Quantity.parse("0")).isZero();
        assertThat(Quantity.parse(" 5000 ")).isEqualTo(5000);
        assertThat(Quantity.parse("1e3")).isEqualTo(1000);
        assertThat(Quantity.parse("1.5Gi")).isEqualTo(3L << 29);
        assertThat(Quantity.parse("+7")).isEqualTo(7);
    }

    @Test
    void fractionsRoundUpLikeQuantityValue() {
        assertThat(Quantity.parse("500m")).isEqualTo(1);
        assertThat(Quantity.parse("1.1")).isEqualTo(2);
        assertThat(Quantity.parse("-1")).isEqualTo(-1); // sign kept: the caller rejects negatives by field
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> Quantity.parse("1GB")).hasMessageContaining("'1GB' is not a quantity");
        assertThatThrownBy(() -> Quantity.parse("lots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantity.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantity.parse("100Ei")).hasMessageContaining("too large");
    }
}
