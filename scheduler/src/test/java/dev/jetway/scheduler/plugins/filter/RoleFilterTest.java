package dev.jetway.scheduler.plugins.filter;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.filter;
import static dev.jetway.scheduler.Fixtures.labeled;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoleFilterTest {

    private final Endpoint prefill = labeled("p", Map.of(Endpoint.ROLE_LABEL, "prefill"));
    private final Endpoint decode = labeled("d", Map.of(Endpoint.ROLE_LABEL, "decode"));
    private final Endpoint both = labeled("b", Map.of(Endpoint.ROLE_LABEL, "both"));
    private final Endpoint plain = labeled("u", Map.of());
    private final List<Endpoint> all = List.of(prefill, decode, both, plain);

    @Test
    void decodeFilterKeepsDecodeCapableAndUnlabeled() {
        var f = RoleFilter.decode("decode-filter", PluginParameters.none("decode-filter"));
        assertThat(filter(f, context(all))).containsExactly(decode, both, plain);
    }

    @Test
    void prefillFilterDropsUnlabeled() {
        var f = RoleFilter.prefill("prefill-filter", PluginParameters.none("prefill-filter"));
        assertThat(filter(f, context(all))).containsExactly(prefill, both);
    }
}
