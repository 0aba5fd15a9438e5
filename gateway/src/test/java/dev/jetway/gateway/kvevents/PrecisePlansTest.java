package dev.jetway.gateway.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.scheduler.plugins.producer.KvEventsSettings;
import org.junit.jupiter.api.Test;

class PrecisePlansTest {

    @Test
    void theEndpointsOwnAddressWinsElseDiscoveryUsesItsHostAndTheSocketPort() {
        KvEventsSettings discover = new KvEventsSettings("kv@", 4, true, 5556);
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, "tcp://10.0.0.5:7000"),
                discover)).isEqualTo("tcp://10.0.0.5:7000");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, "10.0.0.5:7001"),
                KvEventsSettings.DEFAULTS)).isEqualTo("tcp://10.0.0.5:7001");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, null), discover))
                .isEqualTo("tcp://10.0.0.5:5556");
        assertThat(PrecisePlans.publisherOf(new EndpointConfig("10.0.0.5:8000", null, null, null),
                KvEventsSettings.DEFAULTS)).isNull();
    }
}
