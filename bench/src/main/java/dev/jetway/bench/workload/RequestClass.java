package dev.jetway.bench.workload;

/**
 * One kind of request in a {@link MixedWorkload}: a share of the traffic ({@code weight}) and how its prompts and
 * output lengths are made. The set is closed: the classes are modelled on distinct real traffic shapes (retrieval,
 * coding agents, chat), each documented in docs/benchmarking.md.
 */
public sealed interface RequestClass permits RagClass, CodingClass, ChatClass {

    /** The class type as written in workload files: {@code rag}, {@code coding} or {@code chat}. */
    String type();

    /** Relative share of requests; the workload normalises the weights of its classes. */
    double weight();

    /**
     * How this class makes requests in a workload: {@code classSeed} is derived from the workload seed and the class's
     * position, {@code name} labels its session ids. Called once per workload; the source may hold precomputed
     * tables.
     */
    Source source(long classSeed, String name);

    /** Makes the {@code ordinal}-th request of a class (0-based among that class's requests), issued as {@code index}. */
    @FunctionalInterface
    interface Source {
        WorkloadRequest request(long index, long ordinal);
    }

    static void requirePositive(double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be > 0: " + weight);
        }
    }
}
