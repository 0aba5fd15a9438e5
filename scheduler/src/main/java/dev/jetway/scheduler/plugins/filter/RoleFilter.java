package dev.jetway.scheduler.plugins.filter;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.Set;

/**
 * {@code decode-filter} and {@code prefill-filter}: keep endpoints whose {@code llm-d.ai/role} label says they can
 * do that phase. Unlabeled endpoints count as decode-capable (a plain aggregated pool), not as prefill workers.
 */
public final class RoleFilter implements Filter {

    public static final String DECODE_TYPE = "decode-filter";
    public static final String PREFILL_TYPE = "prefill-filter";

    static final Set<String> DECODE_ROLES = Set.of("decode", "prefill-decode", "both", "encode-prefill-decode");
    static final Set<String> PREFILL_ROLES =
            Set.of("prefill", "encode-prefill", "prefill-decode", "both", "encode-prefill-decode");

    private final String type;
    private final String name;
    private final Set<String> roles;
    private final boolean keepUnlabeled;

    private RoleFilter(String type, String name, Set<String> roles, boolean keepUnlabeled) {
        this.type = type;
        this.name = name;
        this.roles = roles;
        this.keepUnlabeled = keepUnlabeled;
    }

    public static RoleFilter decode(String name, PluginParameters params) {
        return new RoleFilter(DECODE_TYPE, name, DECODE_ROLES, true);
    }

    public static RoleFilter prefill(String name, PluginParameters params) {
        return new RoleFilter(PREFILL_TYPE, name, PREFILL_ROLES, false);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether {@code e} may run a prefill leg: its role names prefill (unlabeled endpoints are not prefillers). */
    public static boolean canPrefill(Endpoint e) {
        String role = e.role();
        return role != null && PREFILL_ROLES.contains(role);
    }

    boolean keeps(Endpoint e) {
        String role = e.role();
        return role == null ? keepUnlabeled : roles.contains(role);
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        candidates.retainIf(this::keeps);
    }
}
