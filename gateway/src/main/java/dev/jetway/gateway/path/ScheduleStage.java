package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import java.util.List;

/**
 * The pool's scheduler picks the endpoints to try, in order, among the ready ones (those the request's
 * {@link EndpointSubset} allows, when the data plane sent one); its admitters may refuse the request (their status
 * and dropped reason), and a pool without a ready or eligible endpoint is a 503.
 */
final class ScheduleStage implements RequestStage {

    private final GatewayMetrics metrics;

    ScheduleStage(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "schedule";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        List<Endpoint> candidates = request.pool().readyCandidates();
        if (candidates.isEmpty()) {
            return StageResult.reply(OpenAiError.noEndpoint("no ready endpoint in pool " + request.pool().name()
                    + " for model " + request.parsed().model()));
        }
        EndpointSubset subset = request.subset();
        if (subset != null) {
            candidates = subset.filter(candidates);
            if (candidates.isEmpty()) {
                return StageResult.reply(OpenAiError.noEndpoint("no endpoint of the subset hint " + subset.entries()
                        + " is ready in pool " + request.pool().name()));
            }
        }
        return switch (Scheduling.schedule(request.pool(), request.inference(), candidates, metrics)) {
            case Scheduling.Refused refused -> StageResult.reply(refused.error());
            case Scheduling.Decided decided -> {
                request.decision(decided.result());
                recordPrefixHit(decided.result());
                yield StageResult.NEXT;
            }
        };
    }

    /** How much of the prompt the scheduler believes the chosen endpoint already holds. */
    private void recordPrefixHit(SchedulingResult decided) {
        PrefixMatchInfo info = decided.context().get(PrefixMatchInfo.DEFAULT_KEY);
        if (info != null && info.totalBlocks() > 0) {
            int slot = decided.context().endpoints().indexOf(decided.primaryEndpoint());
            if (slot >= 0) {
                metrics.prefixHitRatio(info.ratio(slot));
            }
        }
    }
}
