package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * A pool's passive health checking: Envoy's outlier detection, with defaults for pools of a handful of replicas.
 * An endpoint that fails too often in a row, or streams far slower than its peers, is ejected (taken out of rotation)
 * for {@code baseEjectionTime} times the number of times it has been ejected, at most {@code maxEjectionTime}; that
 * number falls by one for every {@code interval} the endpoint then stays in rotation (docs/operations.md, "Outlier
 * ejection").
 *
 * @param enabled                   false: nothing is ejected (the health checks still gate new endpoints)
 * @param consecutive5xx            5xx answers and gateway failures in a row that eject (Envoy's {@code consecutive_5xx});
 *                                  0 = rule off
 * @param consecutiveGatewayFailure 502/503/504 answers, connect errors, resets and first-byte timeouts in a row that
 *                                  eject (Envoy's {@code consecutive_gateway_failure}); 0 = rule off
 * @param interval                  while in rotation, the ejection multiplier falls by one per interval
 * @param baseEjectionTime          first ejection's length; the n-th lasts n times as long
 * @param maxEjectionTime           longest ejection
 * @param maxEjectionPercent        most endpoints of the pool ejected at once, in percent (one may always be ejected,
 *                                  and the last endpoint in rotation never is)
 * @param tpotOutlierFactor         a streaming endpoint whose median time per output token is this many times the
 *                                  median of its peers' is ejected; 0 = rule off
 * @param tpotOutlierMin            ... and only when that median is above this (fast replicas differ by noise)
 */
public record OutlierDetectionSettings(Boolean enabled, Integer consecutive5xx, Integer consecutiveGatewayFailure,
                                       Duration interval, Duration baseEjectionTime, Duration maxEjectionTime,
                                       Integer maxEjectionPercent, Double tpotOutlierFactor, Duration tpotOutlierMin) {

    public OutlierDetectionSettings {
        enabled = enabled == null || enabled;
        consecutive5xx = consecutive5xx == null ? 5 : consecutive5xx;
        consecutiveGatewayFailure = consecutiveGatewayFailure == null ? 3 : consecutiveGatewayFailure;
        interval = interval == null ? Duration.ofSeconds(10) : interval;
        baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(30) : baseEjectionTime;
        maxEjectionTime = maxEjectionTime == null ? Duration.ofSeconds(300).compareTo(baseEjectionTime) < 0
                ? baseEjectionTime : Duration.ofSeconds(300) : maxEjectionTime;
        maxEjectionPercent = maxEjectionPercent == null ? 100 : maxEjectionPercent;
        tpotOutlierFactor = tpotOutlierFactor == null ? 5.0 : tpotOutlierFactor;
        tpotOutlierMin = tpotOutlierMin == null ? Duration.ofSeconds(1) : tpotOutlierMin;
        ConfigChecks.nonNegative("outlierDetection.consecutive5xx", consecutive5xx);
        ConfigChecks.nonNegative("outlierDetection.consecutiveGatewayFailure", consecutiveGatewayFailure);
        ConfigChecks.positive("outlierDetection.interval", interval);
        ConfigChecks.positive("outlierDetection.baseEjectionTime", baseEjectionTime);
        ConfigChecks.positive("outlierDetection.maxEjectionTime", maxEjectionTime);
        if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("outlierDetection.maxEjectionTime (" + DurationText.format(maxEjectionTime)
                    + ") must not be below baseEjectionTime (" + DurationText.format(baseEjectionTime) + ")");
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("outlierDetection.maxEjectionPercent must be 0..100, got "
                    + maxEjectionPercent);
        }
        if (tpotOutlierFactor != 0 && !(tpotOutlierFactor > 1)) {
            throw new IllegalArgumentException("outlierDetection.tpotOutlierFactor must be above 1 (or 0 = off), got "
                    + tpotOutlierFactor);
        }
        if (tpotOutlierMin.isNegative()) {
            throw new IllegalArgumentException("outlierDetection.tpotOutlierMin must not be negative, got "
                    + DurationText.format(tpotOutlierMin));
        }
    }

    public static OutlierDetectionSettings defaults() {
        return new OutlierDetectionSettings(null, null, null, null, null, null, null, null, null);
    }
}
