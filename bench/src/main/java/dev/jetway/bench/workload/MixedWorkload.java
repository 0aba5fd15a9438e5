package dev.jetway.bench.workload;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream mixing request classes ({@link RequestClass}: retrieval, coding agents, chat), each with a share of the
 * requests. Request i's class is a seeded draw from the weights, so the mix is deterministic for a seed and does not
 * depend on the load; within a class, requests are numbered in issue order (the class's ordinal), which is what its
 * sessions and documents are keyed by. The load section decides when requests are sent (e.g. Poisson), as for the
 * other workloads.
 */
public final class MixedWorkload implements Workload {

    private static final int PICK_CLASS = 1;
    private static final int CLASS_SEED = 2;

    private final List<RequestClass> classes;
    private final long seed;
    private final double[] cumulative;
    private final String[] names;
    private final RequestClass.Source[] sources;
    /** Class and class ordinal of each index issued so far, grown on demand (ordinals need every earlier draw). */
    private byte[] classOf = new byte[0];
    private int[] ordinalOf = new int[0];
    private long[] counts;
    private int known;

    public MixedWorkload(List<RequestClass> classes, long seed) {
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("classes: at least one class is needed");
        }
        if (classes.size() > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("classes: at most " + Byte.MAX_VALUE + " classes");
        }
        this.classes = List.copyOf(classes);
        this.seed = seed;
        double total = classes.stream().mapToDouble(RequestClass::weight).sum();
        cumulative = new double[classes.size()];
        double sum = 0;
        for (int c = 0; c < classes.size(); c++) {
            sum += classes.get(c).weight() / total;
            cumulative[c] = sum;
        }
        cumulative[classes.size() - 1] = 1.0;
        names = names(this.classes);
        sources = new RequestClass.Source[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            sources[c] = classes.get(c).source(FillerWords.derive(seed, CLASS_SEED, c), names[c]);
        }
        counts = new long[classes.size()];
    }

    /** A class is named by its type; several classes of one type are told apart by their position. */
    private static String[] names(List<RequestClass> classes) {
        Map<String, Integer> perType = new HashMap<>();
        classes.forEach(c -> perType.merge(c.type(), 1, Integer::sum));
        String[] out = new String[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            String type = classes.get(c).type();
            out[c] = perType.get(type) > 1 ? type + c : type;
        }
        return out;
    }

    public List<RequestClass> classes() {
        return classes;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String type() {
        return "mixed";
    }

    /** The name of the class request {@code index} belongs to ({@code rag}, {@code coding}, ...). */
    public String className(long index) {
        return names[classIndex(index)];
    }

    @Override
    public WorkloadRequest request(long index) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("request index out of range: " + index);
        }
        int c;
        int ordinal;
        synchronized (this) {
            extendTo((int) index);
            c = classOf[(int) index];
            ordinal = ordinalOf[(int) index];
        }
        return sources[c].request(index, ordinal);
    }

    private int classIndex(long index) {
        synchronized (this) {
            extendTo((int) index);
            return classOf[(int) index];
        }
    }

    private void extendTo(int index) {
        if (index < known) {
            return;
        }
        int size = Math.max(index + 1, known * 2);
        classOf = Arrays.copyOf(classOf, size);
        ordinalOf = Arrays.copyOf(ordinalOf, size);
        for (int i = known; i < size; i++) {
            int c = pick(FillerWords.uniform(FillerWords.derive(seed, PICK_CLASS, i)));
            classOf[i] = (byte) c;
            ordinalOf[i] = Math.toIntExact(counts[c]++);
        }
        known = size;
    }

    private int pick(double u) {
        for (int c = 0; c < cumulative.length; c++) {
            if (u < cumulative[c]) {
                return c;
            }
        }
        return cumulative.length - 1;
    }

    /** Share of each class by name, normalised: what the weights amount to. */
    public Map<String, Double> shares() {
        Map<String, Double> out = new LinkedHashMap<>();
        double prev = 0;
        for (int c = 0; c < cumulative.length; c++) {
            out.put(names[c], cumulative[c] - prev);
            prev = cumulative[c];
        }
        return out;
    }
}
