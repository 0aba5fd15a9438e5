package dev.jetway.scheduler.flow;

import java.util.List;

/**
 * A {@link FlowController}'s state at one moment, for metrics (llm-d's {@code flow_control_queue_size},
 * {@code flow_control_queue_bytes}, {@code flow_control_pool_saturation}, {@code flow_control_stale_endpoints}).
 *
 * @param queuedRequests    requests waiting over all bands
 * @param queuedBytes       their bytes
 * @param inTransitRequests dispatched and not yet acknowledged
 * @param inTransitTokens   their prompt tokens
 * @param bands             per band, highest priority first (bands that never held a request are included)
 * @param poolSaturation    the saturation at the last measurement, with what was in transit then
 * @param endpoints         endpoints at the last measurement
 * @param staleEndpoints    of those, how many had stale or no metrics
 * @param failedOpen        every endpoint was stale at the last measurement: the detector fell back to the
 *                          gateway's own counters (worth a warning)
 * @param evictable         running sheddable requests eviction may stop
 * @param evicting          asked to stop and not finished yet
 * @param shutdown          the controller is shut down
 */
public record FlowSnapshot(long queuedRequests, long queuedBytes, long inTransitRequests, long inTransitTokens,
                           List<BandStats> bands, double poolSaturation, int endpoints, int staleEndpoints,
                           boolean failedOpen, int evictable, int evicting, boolean shutdown) {

    public FlowSnapshot {
        bands = List.copyOf(bands);
    }

    /** One band: its queue and its flows (only flows holding requests exist). */
    public record BandStats(int priority, long requests, long bytes, List<FlowStats> flows) {

        public BandStats {
            flows = List.copyOf(flows);
        }
    }

    /** One flow (fairness id) of a band. */
    public record FlowStats(String fairnessId, long requests, long bytes) {
    }

    /** The band of this priority, or null. */
    public BandStats band(int priority) {
        for (BandStats b : bands) {
            if (b.priority() == priority) {
                return b;
            }
        }
        return null;
    }
}
