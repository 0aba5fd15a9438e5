package dev.jetway.sim.http;

import dev.jetway.sim.SimRole;

import dev.jetway.sim.TimingListener;
import dev.jetway.sim.fault.FaultInjector;
import dev.jetway.sim.loop.EngineLoop;
import dev.jetway.sim.loop.KvTransferRelay;
import dev.jetway.sim.metrics.PrometheusText;
import dev.jetway.sim.metrics.SimMetrics;
import dev.jetway.sim.openai.ModelCatalog;
import dev.jetway.sim.openai.RequestParser;
import dev.jetway.sim.openai.ResponseJson;

import java.util.function.Supplier;

/**
 * Everything the HTTP handlers of one replica share.
 *
 * @param loop             the replica's engine thread
 * @param parser           request validation
 * @param json             response writing
 * @param catalog          served models
 * @param metrics          request metrics
 * @param prometheus       {@code /metrics} rendering
 * @param faults           failure injection
 * @param stallAfterTokens streams stop sending after this many tokens; -1 = never
 * @param advertiseHost    host for P/D {@code remote_host}
 * @param httpPort         this replica's HTTP port, for P/D {@code remote_port}
 * @param timing           optional first-token listener (may supply null)
 * @param drains           batches response writes per engine step (run by the engine loop after each step)
 * @param kvTransfers      tells in-process prefill replicas when a decode run got their KV
 * @param role             the replica's P/D role: the other role's leg of a split request is refused
 */
public record ReplicaServices(EngineLoop loop, RequestParser parser, ResponseJson json, ModelCatalog catalog,
                              SimMetrics metrics, PrometheusText prometheus, FaultInjector faults,
                              int stallAfterTokens, String advertiseHost, int httpPort,
                              Supplier<TimingListener> timing, DrainBatcher drains,
                              KvTransferRelay kvTransfers, SimRole role) {
}
