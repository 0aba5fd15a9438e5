package dev.jetway.bench.sim;

import dev.jetway.bench.metrics.PdSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.PoolReport;
import java.util.ArrayList;
import java.util.List;

/** The {@link PoolReport} of a simulated pool: its groups and GPUs from the layout, output per GPU from the run. */
public final class PoolReports {

    private PoolReports() {
    }

    /** {@code report} with the pool it ran on; {@code pd} null when the policy does not disaggregate. */
    public static PolicyReport attach(PolicyReport report, ClusterLayout layout, PdSummary pd) {
        List<PoolReport.Group> groups = new ArrayList<>();
        for (ClusterLayout.Group g : layout.groups()) {
            groups.add(new PoolReport.Group(g.role().label(), g.replicas(), g.engine().profile().name(),
                    g.engine().profile().hardware().gpus()));
        }
        int gpus = layout.gpus();
        return report.withPool(new PoolReport(layout.label(), gpus, groups,
                report.summary().outputTokensPerS() / gpus, pd));
    }
}
