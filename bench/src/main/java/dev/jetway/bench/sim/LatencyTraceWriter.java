package dev.jetway.bench.sim;

import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes every observation the simulated policies' latency models learn from to a CSV file ({@code jetway simulate
 * --latency-trace}): policy, replicas, endpoint, kind, time, observed, predicted, then the features. It is the data
 * for studying the model offline, e.g. comparing learners on the same observations (docs/scheduler.md). Policies
 * run on several threads; lines are written whole.
 */
public final class LatencyTraceWriter implements Closeable {

    private final BufferedWriter out;

    public LatencyTraceWriter(Path file) {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write("policy,replicas,endpoint,kind,t_s,observed_s,predicted_s," + String.join(",",
                    LatencyModel.featureNames()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write latency trace " + file, e);
        }
    }

    /** The same policy, whose latency models (if any) report their observations here. */
    public SimPolicy wrap(SimPolicy policy) {
        return new SimPolicy(policy.name(), (env, endpoints, options) -> {
            SimPolicy.Instance instance = policy.factory().create(env, endpoints, options);
            for (PredictedLatencyProducer p : instance.scheduler().plugins(PredictedLatencyProducer.class)) {
                p.model().addSampleSink(s -> write(policy.name(), options.replicas(), s));
            }
            return instance;
        }, policy.disaggregates());
    }

    private void write(String policy, int replicas, LatencyModel.Sample s) {
        StringBuilder line = new StringBuilder(160);
        line.append(policy).append(',').append(replicas).append(',').append(s.endpointId()).append(',')
                .append(s.kind().label()).append(',').append(String.format(Locale.ROOT, "%.3f", s.atNanos() / 1e9))
                .append(',').append(num(s.observed())).append(',').append(num(s.predicted()));
        for (double f : s.features()) {
            line.append(',').append(num(f));
        }
        line.append('\n');
        synchronized (out) {
            try {
                out.write(line.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String num(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.6g", v);
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
