package dev.jetway.gateway.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The decision for a request whose client sent a {@code traceparent} that the gateway does not let decide: a draw of
 * its own with probability {@code ratio}. Not OpenTelemetry's trace-id ratio, because the client chose that trace id
 * and could pick ids that are always sampled.
 */
final class RemoteParentRatioSampler implements Sampler {

    private final double ratio;

    RemoteParentRatioSampler(double ratio) {
        this.ratio = ratio;
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        boolean sampled = ratio >= 1.0 || (ratio > 0.0 && ThreadLocalRandom.current().nextDouble() < ratio);
        return sampled ? SamplingResult.recordAndSample() : SamplingResult.drop();
    }

    @Override
    public String getDescription() {
        return "RemoteParentRatioSampler{" + ratio + "}";
    }
}
