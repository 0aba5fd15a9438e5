package dev.jetway.scheduler.spi;

/** Chooses the target endpoints from the scored candidates (one picker per profile). */
public interface Picker extends Plugin {

    /**
     * @param totals weighted score sums, {@code totals[i]} for {@code candidates.get(i)}
     */
    Pick pick(SchedulingContext context, Candidates candidates, double[] totals);
}
