package dev.jetway.gateway.http;

import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.AdminToken;
import dev.jetway.gateway.security.ApiKeys;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who may use the admin port: with {@code security.adminToken}, whoever sends it as {@code Authorization: Bearer};
 * without one, this machine only (a caller from a loopback address). The admin port shows every endpoint, its load
 * and the routing state, and takes peers' digests: it is never open to the network without a credential.
 */
final class AdminAccess {

    private final AccessControl access;

    AdminAccess(AccessControl access) {
        this.access = access;
    }

    /** Null when {@code request} from {@code remote} may go on; else the refusal. */
    OpenAiError check(FullHttpRequest request, SocketAddress remote) {
        if (access.adminTokenConfigured()) {
            AdminToken token = access.adminToken();
            if (token == null) {
                return OpenAiError.noEndpoint("the admin token is not loaded yet");
            }
            if (!token.matches(ApiKeys.bearer(request.headers().get(HttpHeaderNames.AUTHORIZATION)))) {
                return OpenAiError.unauthorized("the admin port needs the admin token as Authorization: Bearer "
                        + "<token>", "invalid_admin_token");
            }
            return null;
        }
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress()) {
            return null;
        }
        return OpenAiError.forbidden("the admin port answers this machine only (set security.adminToken to open it "
                + "to others)", "admin_loopback_only");
    }
}
