package dev.jetway.gateway.kvevents;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.plugins.producer.KvEventsSettings;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import dev.jetway.scheduler.plugins.scorer.PrecisePrefixCacheScorer;
import java.util.ArrayList;
import java.util.List;

/** Derives the KV-event subscriptions from the routing table: which pools route precisely, from which publishers. */
public final class PrecisePlans {

    private PrecisePlans() {
    }

    public static List<PrecisePoolPlan> of(List<GatewayPool> pools) {
        List<PrecisePoolPlan> plans = new ArrayList<>();
        for (GatewayPool pool : pools) {
            PrecisePrefixCacheProducer producer = producerOf(pool.scheduler());
            if (producer == null) {
                continue;
            }
            List<PreciseTarget> targets = new ArrayList<>();
            for (EndpointConfig e : pool.config().endpoints()) {
                String publisher = publisherOf(e, producer.kvEvents());
                if (publisher != null) {
                    targets.add(new PreciseTarget(e.address(), publisher, tcp(e.kvEventsReplay())));
                }
            }
            List<String> models = pool.config().models();
            plans.add(new PrecisePoolPlan(pool.name(), producer, targets, models.size() == 1 ? models.getFirst() : null,
                    pool.tokenizerChoice().label()));
        }
        return plans;
    }

    /** True when {@code scheduler} matches prompts against the blocks the engines report (KV events). */
    public static boolean matchesKvEvents(Scheduler scheduler) {
        return producerOf(scheduler) != null;
    }

    /** The pool's precise producer (also inside the deprecated precise scorer), or null. */
    static PrecisePrefixCacheProducer producerOf(Scheduler scheduler) {
        List<PrecisePrefixCacheProducer> producers = scheduler.plugins(PrecisePrefixCacheProducer.class);
        if (!producers.isEmpty()) {
            return producers.getFirst();
        }
        List<PrecisePrefixCacheScorer> scorers = scheduler.plugins(PrecisePrefixCacheScorer.class);
        return scorers.isEmpty() ? null : scorers.getFirst().producer();
    }

    /**
     * The endpoint's configured KV-events address ({@code tcp://host:port}, or {@code host:port}); else, when the
     * producer discovers pods, the endpoint's host at {@code podDiscoveryConfig.socketPort}; else none.
     */
    static String publisherOf(EndpointConfig e, KvEventsSettings settings) {
        String configured = tcp(e.kvEvents());
        if (configured != null) {
            return configured;
        }
        if (settings.discoverPods()) {
            return "tcp://" + HostPort.parse(e.address()).host() + ":" + settings.socketPort();
        }
        return null;
    }

    /** {@code host:port} or {@code tcp://host:port} as a ZMQ address; null when not configured. */
    static String tcp(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        return address.contains("://") ? address : "tcp://" + address;
    }
}
