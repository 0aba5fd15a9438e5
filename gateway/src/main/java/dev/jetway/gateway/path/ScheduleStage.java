package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.proxy.PriorityBody;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.RequestHandling;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import java.io.IOException;
import java.util.List;

/**
 * The pool's scheduler picks the endpoints to try, in order, among the ready ones (those the request's
 * {@link EndpointSubset} allows, when the data plane sent one); its admitters may refuse the request (their status
 * and dropped reason), and a pool without a ready or eligible endpoint is a 503. With the pool's
 * {@code requestHandler.propagatePriority}, the body then carries the request's priority in the convention of the
 * chosen endpoint's engine ({@link PriorityBody}), as llm-d's director writes it after scheduling.
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
                if (request.pool().scheduler().requestHandling().propagatePriority()) {
                    propagatePriority(request, decided.result().primaryEndpoint());
                }
                yield StageResult.NEXT;
            }
        };
    }

    private static void propagatePriority(GatewayRequest request, Endpoint target) {
        int priority = RequestHandling.enginePriority(request.identity().priority(), target);
        try {
            request.rewriteBody(PriorityBody.with(request.http().content(), priority));
        } catch (IOException e) {
            // not a JSON object (a route the parser lets through as is): forwarded untouched, as llm-d does
        }
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
