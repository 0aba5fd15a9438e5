package dev.jetway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.security.AccessControl;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Without an admin token, the admin port serves callers on this machine only, whatever address it was bound to. */
class AdminAccessTest {

    @Test
    void withoutATokenOnlyLoopbackCallersAreServed() throws Exception {
        var config = ConfigLoader.parse("pools: [{name: p, endpoints: [{address: 127.0.0.1:1}]}]\n", "test");
        try (AccessControl acl = AccessControl.none(config)) {
            AdminAccess access = new AdminAccess(acl);
            var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics");
            assertThat(access.check(request, new InetSocketAddress(InetAddress.getLoopbackAddress(), 5000))).isNull();
            OpenAiError refused = access.check(request, new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), 5000));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("admin_loopback_only");
            request.release();
        }
    }
}
