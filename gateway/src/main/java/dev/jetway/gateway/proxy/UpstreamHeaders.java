package dev.jetway.gateway.proxy;

import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.path.GatewayRequest;
import dev.jetway.scheduler.InferenceRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The headers a model server gets with a request (main leg and prefill leg alike): the client's end-to-end headers,
 * less everything that steers routing or claims an identity, unless the pool trusts its clients
 * ({@code trustClientHeaders}: they are proxies that set these themselves). The gateway then says itself who the
 * client is ({@code X-Forwarded-For}: its address, appended to the chain of a trusted client), which request this is
 * ({@code x-request-id}, checked or generated) and which credential the model server sees ({@code Authorization}:
 * the pool's key, the client's when the pool forwards it, else none).
 */
public final class UpstreamHeaders {

    /** Carries the admin token to unlock {@code x-jetway-debug}: never forwarded, trusted client or not. */
    public static final String ADMIN_TOKEN_HEADER = "x-jetway-admin-token";
    static final String FORWARDED_FOR = "x-forwarded-for";

    /** Claims about the client's hop that only the gateway may make for an untrusted client. */
    private static final Set<String> CLIENT_HOP = Set.of("forwarded", FORWARDED_FOR, "x-forwarded-host",
            "x-forwarded-proto", "x-forwarded-port", "x-real-ip");
    private static final Set<String> FAIRNESS = Set.of(InferenceRequest.FAIRNESS_HEADER,
            InferenceRequest.LEGACY_FAIRNESS_HEADER);

    private UpstreamHeaders() {
    }

    /**
     * Copies the request's headers for the model server into {@code to}.
     *
     * @param upstreamKey the pool's own key for {@code Authorization}, or null
     */
    public static void copy(GatewayRequest request, HttpHeaders to, String upstreamKey) {
        PoolConfig pool = request.pool().config();
        boolean trusted = pool.trustClientHeaders();
        boolean forwardKey = pool.upstreamAuth().forwardsClientKey();
        boolean tenantFromKey = request.caller() != null;
        Predicate<String> drop = name -> name.equals(ADMIN_TOKEN_HEADER)
                || name.equals("x-request-id")
                || (!forwardKey && name.equals("authorization"))
                || (!trusted && untrusted(name, tenantFromKey));
        HttpHeaders from = request.http().headers();
        HopByHop.copyEndToEnd(from, to, drop);
        String peer = peerAddress(request);
        if (peer != null) {
            String chain = trusted ? from.get(FORWARDED_FOR) : null;
            to.set(FORWARDED_FOR, chain == null || chain.isBlank() ? peer : chain + ", " + peer);
        }
        InferenceRequest inference = request.inference();
        if (inference != null) {
            to.set("x-request-id", inference.requestId());
        }
        if (upstreamKey != null) {
            to.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + upstreamKey);
        }
    }

    /** A header an untrusted client may not pass on (lower-case name). */
    static boolean untrusted(String name, boolean tenantFromKey) {
        return name.startsWith("x-jetway-")
                || name.startsWith("x-gateway-destination-endpoint")
                || name.equals("x-prefiller-host-port")
                || CLIENT_HOP.contains(name)
                || (tenantFromKey && FAIRNESS.contains(name));
    }

    private static String peerAddress(GatewayRequest request) {
        SocketAddress remote = request.ctx().channel().remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress().toLowerCase(Locale.ROOT);
        }
        return null;
    }
}
