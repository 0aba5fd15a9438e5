package dev.jetway.gateway.kvevents;

import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import java.util.List;

/**
 * What the intake should do for one pool whose scheduler routes on the precise prefix index.
 *
 * @param pool      pool name (metric label)
 * @param producer  the pool's precise producer (its index, subscription settings and lookup counters)
 * @param targets   endpoints to subscribe to
 * @param model     model that roots the endpoints' keys (the pool's only configured model), or null to take the
 *                  model from each publisher's topic
 * @param tokenizer name of the tokenizer the gateway uses for the pool (for the parity warning)
 */
public record PrecisePoolPlan(String pool, PrecisePrefixCacheProducer producer, List<PreciseTarget> targets,
                              String model, String tokenizer) {

    public PrecisePoolPlan {
        targets = List.copyOf(targets);
    }
}
