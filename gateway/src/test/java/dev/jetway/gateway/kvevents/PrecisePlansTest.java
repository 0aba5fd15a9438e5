package dev.jetway.gateway.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.scheduler.plugins.producer.KvEventsSettings;
import org.junit.jupiter.api.Test;

class PrecisePlansTest {

    @Test
    void theEndpointsOwnAddressWinsElseDiscoveryUsesItsHostAndTheSocketPort() {
        KvEventsSettings discover = new KvEventsSettings("kv@", 4, true, 5556);
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, "tcp://10.0.0.5:7000", null),
                discover)).isEqualTo("tcp://10.0.0.5:7000");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, "10.0.0.5:7001", null),
                KvEventsSettings.DEFAULTS)).isEqualTo("tcp://10.0.0.5:7001");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, null, null), discover))
                .isEqualTo("tcp://10.0.0.5:5556");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, null, null),
                KvEventsSettings.DEFAULTS)).isNull();
    }

    @Test
    void replayAddressesAreZmqAddressesAndOptional() {
        assertThat(PrecisePlans.tcp("10.0.0.5:5558")).isEqualTo("tcp://10.0.0.5:5558");
        assertThat(PrecisePlans.tcp("tcp://10.0.0.5:5558")).isEqualTo("tcp://10.0.0.5:5558");
        assertThat(PrecisePlans.tcp(" ")).isNull();
        assertThat(PrecisePlans.tcp(null)).isNull();
    }
}
