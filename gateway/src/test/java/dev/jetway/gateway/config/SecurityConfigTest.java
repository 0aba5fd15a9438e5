package dev.jetway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The security keys of jetway.yaml: defaults, and mistakes refused with a message naming the key. */
class SecurityConfigTest {

    private static final String POOL = "pools: [{name: p, endpoints: [{address: 127.0.0.1:1}]}]\n";

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml + POOL, "jetway.yaml");
    }

    @Test
    void defaultsAreClosedAndQuiet() {
        GatewayConfig c = parse("");
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().adminHost()).isEqualTo("127.0.0.1");
        assertThat(c.server().tls()).isNull();
        assertThat(c.security().apiKeys()).isNull();
        assertThat(c.security().debugRequests()).isFalse();
        assertThat(c.security().endpointHeader()).isTrue();
        PoolConfig p = c.pools().getFirst();
        assertThat(p.trustClientHeaders()).isFalse();
        assertThat(p.upstreamAuth().forwardsClientKey()).isFalse();
        assertThat(p.tls()).isNull();
        // the API port on every interface does not take the admin port along
        assertThat(parse("server: {host: 0.0.0.0}\n").server().adminHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void secretsGetTheirDefaultKeys() {
        GatewayConfig c = parse("security: {apiKeys: {secret: {name: k}}, adminToken: {secret: {name: a}}}\n");
        assertThat(c.security().apiKeys().secret().key()).isEqualTo("keys.yaml");
        assertThat(c.security().adminToken().secret().key()).isEqualTo("token");
        assertThat(c.security().usesKubernetes()).isTrue();
    }

    @Test
    void mistakesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse("security: {apiKeys: {file: a.yaml, secret: {name: k}}}\n"))
                .hasMessageContaining("security.apiKeys needs exactly one of file or secret");
        assertThatThrownBy(() -> parse("security: {adminToken: {}}\n"))
                .hasMessageContaining("security.adminToken needs exactly one of file or secret");
        assertThatThrownBy(() -> parse("server: {tls: {certFile: c.pem}}\n"))
                .hasMessageContaining("server.tls needs certFile and keyFile");
        assertThatThrownBy(() -> parse("server: {tls: {}}\n"))
                .hasMessageContaining("server.tls needs certFile and keyFile (PEM), or selfSigned: true");
        assertThatThrownBy(() -> parse("server: {tls: {selfSigned: true, certFile: c.pem, keyFile: k.pem}}\n"))
                .hasMessageContaining("server.tls: selfSigned makes its own certificate; leave out certFile");
        assertThatThrownBy(() -> parse("server: {tls: {certFile: c.pem, keyFile: k.pem, clientAuth: require}}\n"))
                .hasMessageContaining("server.tls.clientAuth require needs clientCaFile");
        assertThatThrownBy(() -> parse("server: {tls: {certFile: c.pem, keyFile: k.pem, clientAuth: maybe}}\n"))
                .hasMessageContaining("server.tls.clientAuth must be require, optional or none");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, tls: {certFile: c.pem}, endpoints: "
                + "[{address: 127.0.0.1:1}]}]\n", "jetway.yaml")).hasMessageContaining("certFile and keyFile go together");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, upstreamAuth: {clientAuthorization: forward, "
                + "apiKeyFile: k}, endpoints: [{address: 127.0.0.1:1}]}]\n", "jetway.yaml"))
                .hasMessageContaining("keep one");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, upstreamAuth: {clientAuthorization: pass}, "
                + "endpoints: [{address: 127.0.0.1:1}]}]\n", "jetway.yaml"))
                .hasMessageContaining("upstreamAuth.clientAuthorization must be strip or forward");
        assertThatThrownBy(() -> parse("server: {adminHost: 0.0.0.0}\n"))
                .hasMessageContaining("server.adminHost 0.0.0.0 is reachable beyond this machine");
        assertThat(parse("server: {adminHost: 0.0.0.0}\nsecurity: {adminToken: {file: t}}\n").server().adminHost())
                .isEqualTo("0.0.0.0");
        assertThat(parse("server: {adminHost: localhost}\n").server().adminLoopbackOnly()).isTrue();
        assertThatThrownBy(() -> parse("security: {apiKey: {file: k}}\n")).hasMessageContaining("unknown key 'apiKey'");
    }
}
