package dev.jetway.bench.sim;

import java.util.List;
import java.util.SplittableRandom;

/** Picks the live gateway each request's connection lands on, as the Service in front of them would. */
final class GatewaySpreader {

    private final Gateways.Spread spread;
    private final SplittableRandom random;
    private int next;

    GatewaySpreader(Gateways gateways, long seed) {
        this.spread = gateways.spread();
        // its own stream: the schedulers' and engines' draws stay what they are in a single-gateway run
        this.random = new SplittableRandom(seed ^ 0x6a09e667f3bcc909L);
    }

    SimGateway pick(List<SimGateway> gateways) {
        if (gateways.size() == 1) {
            return gateways.getFirst();
        }
        int live = 0;
        for (SimGateway g : gateways) {
            if (g.alive()) {
                live++;
            }
        }
        int k = spread == Gateways.Spread.RANDOM ? random.nextInt(live) : Math.floorMod(next++, live);
        for (SimGateway g : gateways) {
            if (g.alive() && k-- == 0) {
                return g;
            }
        }
        throw new IllegalStateException("no live gateway");
    }
}
