package dev.jetway.bench.metrics;

import java.util.List;
import java.util.function.Function;

/**
 * A run summarised the way llm-d's benchmark reports print "summary across QPS" (their report script; it reproduces
 * the 37-capacity report's precise row to the last digit): output tokens/s is the plain mean of the measured stages'
 * values, TTFT mean, TTFT p90 and ITL mean are the stages' values weighted by each stage's successful requests. A
 * mean of per-stage p90s is not the p90 of the pooled requests: put a published llm-d table next to this, not next
 * to the pooled {@link Summary}.
 *
 * @param ttftP90S         success-weighted mean of the stages' TTFT p90
 * @param ttftMeanS        success-weighted mean of the stages' TTFT mean
 * @param itlMeanS         success-weighted mean of the stages' ITL mean
 * @param outputTokensPerS plain mean of the stages' output tokens/s
 */
public record AcrossStages(Double ttftP90S, Double ttftMeanS, Double itlMeanS, Double outputTokensPerS) {

    /** Over the non-warm-up stages; all null when none was measured. */
    public static AcrossStages of(List<StageSummary> stages) {
        List<Summary> measured = stages.stream().filter(s -> !s.warmup()).map(StageSummary::summary).toList();
        if (measured.isEmpty()) {
            return new AcrossStages(null, null, null, null);
        }
        double sum = 0;
        for (Summary s : measured) {
            sum += s.outputTokensPerS();
        }
        double tokens = sum / measured.size();
        return new AcrossStages(weighted(measured, Summary::ttftP90S), weighted(measured, Summary::ttftMeanS),
                weighted(measured, Summary::itlMeanS), tokens);
    }

    private static Double weighted(List<Summary> stages, Function<Summary, Double> value) {
        double sum = 0;
        long weight = 0;
        for (Summary s : stages) {
            Double v = value.apply(s);
            if (v != null && s.completed() > 0) {
                sum += v * s.completed();
                weight += s.completed();
            }
        }
        return weight == 0 ? null : sum / weight;
    }
}
