package dev.jetway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/helm/jetway rendered and linted by Helm itself (helm-java bundles Helm's Go code): every values file of the
 * chart's ci/ directory lints clean, and the rendered manifests say what Kubernetes and the Gateway need.
 */
class HelmChartTest {

    private static final String FULLNAME = Rendered.RELEASE + "-jetway";

    @TempDir
    Path tmp;

    // ---- lint ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "gateway-static-values.yaml", "gateway-discovery-values.yaml", "epp-values.yaml",
            "epp-existing-pool-values.yaml", "epp-tls-secret-values.yaml"})
    void lintsCleanInStrictMode(String ciValues) throws IOException {
        // helm lint reads the chart's own values.yaml only: lint a copy whose values.yaml has the ci file merged in.
        // ("" lints the chart as shipped: helm lint reports a template's `fail` as INFO, so that passes too.)
        Path copy = copyChart(tmp.resolve("jetway"));
        if (!ciValues.isEmpty()) {
            ObjectNode values = (ObjectNode) Rendered.YAML.readTree(copy.resolve("values.yaml").toFile());
            merge(values, Rendered.YAML.readTree(Rendered.chart().resolve("ci").resolve(ciValues).toFile()));
            Rendered.YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        }

        LintResult lint = new Helm(copy).lint().strict().call();

        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void chartDeploysTheVersionTheBuildMakes() throws IOException {
        JsonNode chart = Rendered.YAML.readTree(Rendered.chart().resolve("Chart.yaml").toFile());
        assertThat(chart.path("appVersion").asText()).isEqualTo(System.getProperty("jetway.version", "0.1.0-SNAPSHOT"));
        assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
    }

    // ---- gateway mode -------------------------------------------------------------------------------------------

    @Test
    void gatewayWithStaticEndpointsServesTheApiAndNeedsNoApiAccess() {
        Rendered r = Rendered.template("gateway-static-values.yaml");

        JsonNode deployment = r.one("Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deployment.at("/spec/template/spec/automountServiceAccountToken").asBoolean()).isFalse();
        JsonNode c = r.container();
        assertThat(texts(c.path("args"))).containsExactly("gateway", "--config", "/etc/jetway/jetway.yaml");
        assertThat(ports(c)).containsExactlyInAnyOrderEntriesOf(Map.of("http", 8080, "admin", 9090));
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
        // the kubelet probes the API port: the admin port asks for the admin token
        assertThat(c.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(c.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
        assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health");
        assertThat(c.at("/volumeMounts").findValuesAsText("mountPath")).contains("/etc/jetway", "/tmp");

        JsonNode service = r.service();
        assertThat(service.at("/metadata/name").asText()).isEqualTo(FULLNAME);
        assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(80);
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/ports/1/name").asText()).isEqualTo("metrics");

        assertThat(r.find("Role")).isEmpty();
        assertThat(r.find("RoleBinding")).isEmpty();
        assertThat(r.find("InferencePool")).isEmpty();
        assertThat(r.find("ServiceMonitor")).isEmpty();
        assertThat(r.one("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void gatewayConfigMapIsAJetwayYamlTheGatewayLoads() throws IOException {
        Rendered r = Rendered.template("gateway-static-values.yaml");

        JsonNode yaml = r.jetwayYaml();
        assertThat(yaml.at("/server/host").asText()).isEqualTo("0.0.0.0");
        assertThat(yaml.at("/server/port").asInt()).isEqualTo(8080);
        assertThat(yaml.at("/server/adminPort").asInt()).isEqualTo(9090);
        JsonNode pool = yaml.at("/pools/0");
        assertThat(pool.path("name").asText()).isEqualTo(FULLNAME);
        assertThat(pool.path("endpointPicker").asText()).isEqualTo("precise");
        assertThat(pool.path("kvBlockSize").asInt()).isEqualTo(64);
        assertThat(pool.path("endpoints").findValuesAsText("address"))
                .containsExactly("vllm-0.vllm.default.svc:8000", "vllm-1.vllm.default.svc:8000");

        GatewayConfig loaded = ConfigLoader.load(write("jetway.yaml", r.configFile("jetway.yaml")));  // with peers
        assertThat(loaded.pools()).hasSize(1);
        assertThat(loaded.pools().getFirst().endpoints()).hasSize(2);
        assertThat(loaded.server().adminPort()).isEqualTo(9090);
        assertThat(loaded.server().adminHost()).isEqualTo("0.0.0.0");
        assertThat(loaded.security().adminToken().file()).isEqualTo("/etc/jetway-admin/token");
        assertThat(loaded.peers().dns()).isEqualTo(FULLNAME + "-peers." + Rendered.NAMESPACE + ".svc:9090");
    }

    @Test
    void theAdminPortIsOpenToThePodNetworkOnlyWithTheTokenOfASecret() {
        Rendered r = Rendered.template("gateway-discovery-values.yaml");
        JsonNode secret = r.named("Secret", FULLNAME + "-admin-token");
        String token = new String(java.util.Base64.getDecoder().decode(secret.at("/data/token").asText()));
        assertThat(token).hasSize(48);
        JsonNode c = r.container();
        assertThat(c.at("/volumeMounts").findValuesAsText("mountPath")).contains("/etc/jetway-admin");
        JsonNode volume = r.one("Deployment").at("/spec/template/spec/volumes").findParent("secret");
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo(FULLNAME + "-admin-token");
        assertThat(r.jetwayYaml().at("/security/adminToken/file").asText()).isEqualTo("/etc/jetway-admin/token");
        assertThat(r.jetwayYaml().at("/server/adminHost").asText()).isEqualTo("0.0.0.0");
        JsonNode monitor = r.one("ServiceMonitor");
        assertThat(monitor.at("/spec/endpoints/0/authorization/credentials/name").asText())
                .isEqualTo(FULLNAME + "-admin-token");

        Rendered own = Rendered.template(List.of("gateway-discovery-values.yaml"),
                Map.of("adminToken.existingSecret", "mine", "config.server.tls.certFile", "/tls/tls.crt",
                        "config.server.tls.keyFile", "/tls/tls.key", "config.server.port", "1"));
        // the user's server keys are kept, the chart's bind addresses and ports win
        assertThat(own.jetwayYaml().at("/server/tls/certFile").asText()).isEqualTo("/tls/tls.crt");
        assertThat(own.jetwayYaml().at("/server/port").asInt()).isEqualTo(8080);
        assertThat(own.find("Secret")).isEmpty();
        assertThat(own.one("ServiceMonitor").at("/spec/endpoints/0/authorization/credentials/name").asText())
                .isEqualTo("mine");
    }

    @Test
    void endpointPickerConfigGoesIntoJetwayYamlAndLoads() throws IOException {
        // The inline EndpointPickerConfig of epp-values.yaml on the gateway with static endpoints.
        Rendered r = Rendered.template(List.of("gateway-static-values.yaml", "epp-values.yaml"), Map.of("mode", "gateway"));

        // In jetway.yaml itself: Jetway re-reads jetway.yaml when it changes, so an edit of the picker config applies.
        JsonNode epp = r.jetwayYaml().at("/pools/0/endpointPicker");
        assertThat(epp.path("kind").asText()).isEqualTo("EndpointPickerConfig");
        assertThat(epp.at("/schedulingProfiles/0/plugins").findValuesAsText("pluginRef"))
                .containsExactly("queue-scorer", "kv-cache-utilization-scorer", "prefix-cache-scorer");
        assertThat(r.one("ConfigMap").path("data").size()).isEqualTo(1);

        GatewayConfig loaded = ConfigLoader.load(write("jetway.yaml", r.configFile("jetway.yaml")));
        assertThat(loaded.pools().getFirst().endpoints()).hasSize(2);
    }

    @Test
    void gatewayWithDiscoveryReadsPodsPoolsObjectivesAndOneConfigMapOnly() throws IOException {
        Rendered r = Rendered.template("gateway-discovery-values.yaml");

        // The keys Kubernetes discovery reads, as the gateway loads them (loading does not reach the API server).
        PoolConfig loaded = ConfigLoader.load(write("jetway.yaml", r.configFile("jetway.yaml"))).pools().getFirst();
        assertThat(loaded.inferencePool().name()).isEqualTo("qwen-pool");
        assertThat(loaded.inferencePool().kvEventsPort()).isEqualTo(5557);
        assertThat(loaded.endpointPickerConfigMap().name()).isEqualTo("qwen-epp");

        JsonNode yaml = r.jetwayYaml();
        JsonNode pool = yaml.at("/pools/0");
        assertThat(pool.at("/inferencePool/name").asText()).isEqualTo("qwen-pool");
        assertThat(pool.at("/inferencePool/kvEventsPort").asInt()).isEqualTo(5557);
        assertThat(pool.has("endpoints")).isFalse();
        assertThat(pool.at("/endpointPickerConfigMap/name").asText()).isEqualTo("qwen-epp");
        assertThat(pool.has("endpointPicker")).as("the ConfigMap's config wins").isFalse();
        assertThat(yaml.at("/admission/objectives/batch").asInt()).isEqualTo(-1);

        JsonNode role = r.one("Role");
        List<String> rules = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            assertThat(texts(rule.path("verbs"))).as("verbs of %s", rule).containsExactly("get", "list", "watch");
            for (JsonNode resource : rule.path("resources")) {
                rules.add(rule.path("apiGroups").get(0).asText() + "/" + resource.asText());
            }
        }
        assertThat(rules).containsExactlyInAnyOrder("/pods", "inference.networking.k8s.io/inferencepools",
                "llm-d.ai/inferenceobjectives", "/configmaps");
        JsonNode configMapRule = role.path("rules").get(3);
        assertThat(texts(configMapRule.path("resourceNames"))).containsExactly("qwen-epp");

        JsonNode binding = r.one("RoleBinding");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
        assertThat(binding.at("/subjects/0/name").asText())
                .isEqualTo(r.one("ServiceAccount").at("/metadata/name").asText())
                .isEqualTo(r.one("Deployment").at("/spec/template/spec/serviceAccountName").asText());
        assertThat(r.one("Deployment").at("/spec/template/spec/automountServiceAccountToken").asBoolean()).isTrue();
    }

    @Test
    void staticEndpointsWithAConfigMapPickerGetTheConfigMapRuleOnly() {
        Rendered r = Rendered.template("gateway-static-values.yaml", "pool.endpointPickerConfigMap.name", "qwen-epp",
                "pool.endpointPickerConfigMap.key", "epp.yaml");
        assertThat(r.jetwayYaml().at("/pools/0/endpointPickerConfigMap/key").asText()).isEqualTo("epp.yaml");
        JsonNode rules = r.one("Role").path("rules");
        assertThat(rules).hasSize(1);
        assertThat(texts(rules.get(0).path("resources"))).containsExactly("configmaps");
        assertThat(texts(rules.get(0).path("resourceNames"))).containsExactly("qwen-epp");
    }

    @Test
    void optionalPartsRenderWhenAskedFor() {
        Rendered r = Rendered.template("gateway-discovery-values.yaml");

        JsonNode monitor = r.one("ServiceMonitor");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        assertThat(monitor.at("/spec/selector/matchLabels"))
                .isEqualTo(r.one("Deployment").at("/spec/selector/matchLabels"));
        JsonNode pod = r.one("Deployment").at("/spec/template");
        assertThat(pod.at("/metadata/annotations/checksum~1config").asText()).hasSize(64);
        assertThat(r.container().path("env").findValuesAsText("name")).contains("JDK_JAVA_OPTIONS");
    }

    @Test
    void tracingValuesBecomeJetwayYamlsTracingAndLoad() throws IOException {
        assertThat(Rendered.template("gateway-static-values.yaml").jetwayYaml().has("tracing")).isFalse();
        Rendered r = Rendered.template("gateway-static-values.yaml", "tracing.enabled", "true",
                "tracing.endpoint", "http://otel-collector.observability:4318", "tracing.samplingRatio", "0.25",
                "tracing.headers.authorization", "Bearer abc");
        JsonNode tracing = r.jetwayYaml().path("tracing");
        assertThat(tracing.path("endpoint").asText()).isEqualTo("http://otel-collector.observability:4318");
        assertThat(tracing.path("samplingRatio").asDouble()).isEqualTo(0.25);
        assertThat(tracing.path("parentBased").asBoolean()).isFalse();
        assertThat(tracing.has("serviceName")).isFalse();
        GatewayConfig loaded = ConfigLoader.load(write("jetway.yaml", r.configFile("jetway.yaml")));
        assertThat(loaded.tracingOn().samplingRatio()).isEqualTo(0.25);
        assertThat(loaded.tracingOn().headers()).containsEntry("authorization", "Bearer abc");
    }

    @Test
    void replicasFindEachOtherThroughAHeadlessServiceOverTheAdminPort() {
        Rendered r = Rendered.template("gateway-static-values.yaml");

        JsonNode peers = r.jetwayYaml().path("peers");
        assertThat(peers.path("dns").asText()).isEqualTo(FULLNAME + "-peers." + Rendered.NAMESPACE + ".svc:9090");
        assertThat(peers.path("interval").asText()).isEqualTo("100ms");
        JsonNode headless = r.named("Service", FULLNAME + "-peers");
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/ports/0/port").asInt()).isEqualTo(9090);
        assertThat(headless.at("/spec/ports/0/targetPort").asText()).isEqualTo("admin");
        assertThat(headless.at("/spec/selector")).isEqualTo(r.one("Deployment").at("/spec/selector/matchLabels"));
        // The ServiceMonitor scrapes ports named metrics: only the main Service has one, so no pod is scraped twice.
        assertThat(r.all("Service").stream().filter(svc -> svc.at("/spec/ports").findValuesAsText("name")
                .contains("metrics"))).hasSize(1);

        Rendered single = Rendered.template("epp-existing-pool-values.yaml");
        assertThat(single.jetwayYaml().has("peers")).as("one replica has no peers").isFalse();
        assertThat(single.all("Service")).hasSize(1);
        assertThat(Rendered.template("gateway-static-values.yaml", "peers.enabled", "false").jetwayYaml().has("peers"))
                .isFalse();
    }

    @Test
    void terminationGraceCoversThePreStopSleepAndTheDrain() {
        JsonNode spec = Rendered.template("gateway-static-values.yaml").one("Deployment").at("/spec/template/spec");
        assertThat(spec.path("terminationGracePeriodSeconds").asInt()).isEqualTo(5 + 30 + 5);
        assertThat(spec.at("/containers/0/lifecycle/preStop/sleep/seconds").asInt()).isEqualTo(5);

        // the gateway drains for exactly that long (server.drainTimeout), and the kubelet waits a little longer
        assertThat(Rendered.template("gateway-static-values.yaml").jetwayYaml().at("/server/drainTimeout").asText())
                .isEqualTo("30s");

        Rendered longerChart = Rendered.template("gateway-static-values.yaml", "lifecycle.drainSeconds", "120",
                "lifecycle.preStopSleepSeconds", "0");
        JsonNode longer = longerChart.one("Deployment").at("/spec/template/spec");
        assertThat(longer.path("terminationGracePeriodSeconds").asInt()).isEqualTo(125);
        assertThat(longer.at("/containers/0/lifecycle").isMissingNode()).isTrue();
        assertThat(longerChart.jetwayYaml().at("/server/drainTimeout").asText()).isEqualTo("120s");
    }

    @Test
    void runsAsTheImagesNonRootUserOnAReadOnlyRoot() {
        Rendered r = Rendered.template("gateway-static-values.yaml");
        JsonNode pod = r.one("Deployment").at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(65532);
        JsonNode c = r.container();
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(texts(c.at("/securityContext/capabilities/drop"))).containsExactly("ALL");
        assertThat(c.path("image").asText()).isEqualTo("jetway:" + System.getProperty("jetway.version", "0.1.0-SNAPSHOT"));
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("2Gi");
    }

    // ---- epp mode -----------------------------------------------------------------------------------------------

    @Test
    void eppIsTheInferencePoolsEndpointPicker() throws IOException {
        Rendered r = Rendered.template("epp-values.yaml");
        assertThat(ConfigLoader.load(write("jetway.yaml", r.configFile("jetway.yaml"))).pools().getFirst()
                .inferencePool().name()).isEqualTo(FULLNAME);

        JsonNode c = r.container();
        // TLS with a self-signed certificate, as GIE's picker; the kubelet probes a plaintext health port
        assertThat(texts(c.path("args"))).containsExactly("epp", "--config", "/etc/jetway/jetway.yaml", "--port", "9002",
                "--health-port", "9003", "--secure-serving");
        assertThat(ports(c)).containsExactlyInAnyOrderEntriesOf(Map.of("grpc-ext-proc", 9002, "grpc-health", 9003,
                "admin", 9090));
        assertThat(c.at("/livenessProbe/grpc/port").asInt()).isEqualTo(9003);
        assertThat(c.at("/livenessProbe/grpc/service").asText()).isEqualTo("liveness");
        assertThat(c.at("/readinessProbe/grpc/port").asInt()).isEqualTo(9003);
        assertThat(c.at("/readinessProbe/grpc/service").asText()).isEqualTo("readiness");
        assertThat(c.at("/startupProbe/grpc/service").asText()).isEqualTo("liveness");

        JsonNode service = r.service();
        assertThat(service.at("/metadata/name").asText()).isEqualTo(FULLNAME + "-epp");
        JsonNode grpc = service.at("/spec/ports/0");
        assertThat(grpc.path("port").asInt()).isEqualTo(9002);
        assertThat(grpc.path("appProtocol").asText()).isEqualTo("http2");
        assertThat(grpc.path("targetPort").asText()).isEqualTo("grpc-ext-proc");

        JsonNode pool = r.one("InferencePool");
        assertThat(pool.path("apiVersion").asText()).isEqualTo("inference.networking.k8s.io/v1");
        assertThat(pool.at("/spec/selector/matchLabels/app").asText()).isEqualTo("vllm-qwen");
        assertThat(pool.at("/spec/targetPorts/0/number").asInt()).isEqualTo(8000);
        assertThat(pool.at("/spec/appProtocol").isMissingNode()).isTrue();
        JsonNode ref = pool.at("/spec/endpointPickerRef");
        assertThat(ref.path("group").asText()).isEmpty();
        assertThat(ref.path("kind").asText()).isEqualTo("Service");
        assertThat(ref.path("name").asText()).isEqualTo(service.at("/metadata/name").asText());
        assertThat(ref.at("/port/number").asInt()).isEqualTo(grpc.path("port").asInt());
        assertThat(ref.path("failureMode").asText()).isEqualTo("FailOpen");

        // The picker discovers the pool it serves, so it gets the read-only Role (no ConfigMap: its config is a file).
        assertThat(r.jetwayYaml().at("/pools/0/inferencePool/name").asText()).isEqualTo(pool.at("/metadata/name").asText());
        assertThat(r.jetwayYaml().at("/pools/0/endpointPicker/kind").asText()).isEqualTo("EndpointPickerConfig");
        List<String> resources = new ArrayList<>();
        r.one("Role").path("rules").forEach(rule -> resources.addAll(texts(rule.path("resources"))));
        assertThat(resources).containsExactlyInAnyOrder("pods", "inferencepools", "inferenceobjectives");
    }

    @Test
    void eppForAnExistingPoolCreatesNoPoolAndSkipsWhatIsOff() {
        Rendered r = Rendered.template("epp-existing-pool-values.yaml");

        assertThat(r.find("InferencePool")).isEmpty();
        assertThat(r.find("PodDisruptionBudget")).isEmpty();
        assertThat(r.jetwayYaml().at("/pools/0/inferencePool/name").asText()).isEqualTo("qwen-pool");
        JsonNode spec = r.one("Deployment").at("/spec/template/spec");
        assertThat(r.one("Deployment").at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(spec.path("terminationGracePeriodSeconds").asInt()).isEqualTo(35);
        assertThat(spec.has("topologySpreadConstraints")).isFalse();
        assertThat(spec.at("/containers/0/lifecycle").isMissingNode()).isTrue();
    }

    @Test
    void theArgumentsAreFlagsJetwayEppTakes() {
        for (Rendered r : List.of(Rendered.template("epp-values.yaml"), Rendered.template("epp-tls-secret-values.yaml"),
                Rendered.template("epp-values.yaml", "extProcTls.enabled", "false"))) {
            List<String> args = texts(r.container().path("args"));
            var parsed = new picocli.CommandLine(new dev.jetway.cli.Main()).parseArgs(args.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("epp");
            assertThat(parsed.subcommand().unmatched()).as("%s", args).isEmpty();
        }
    }

    @Test
    void plaintextCanServeHealthOnTheExtProcPort() {
        Rendered r = Rendered.template("epp-values.yaml", "extProcTls.enabled", "false", "ports.grpcHealth", "9002");
        JsonNode c = r.container();
        assertThat(texts(c.path("args"))).endsWith("--port", "9002", "--secure-serving=false");
        assertThat(ports(c)).doesNotContainKey("grpc-health");
        assertThat(c.at("/readinessProbe/grpc/port").asInt()).isEqualTo(9002);
        assertThat(c.at("/volumeMounts").findValuesAsText("mountPath")).doesNotContain("/etc/jetway-tls");
    }

    @Test
    void aTlsSecretIsMountedWholeAndNamedWithCertPath() {
        Rendered r = Rendered.template("epp-tls-secret-values.yaml");
        JsonNode c = r.container();
        assertThat(texts(c.path("args"))).endsWith("--health-port", "9003", "--cert-path", "/etc/jetway-tls",
                "--tls-client-ca", "/etc/jetway-tls/ca.crt");
        JsonNode mount = c.at("/volumeMounts").findParents("mountPath").stream()
                .filter(m -> m.path("mountPath").asText().equals("/etc/jetway-tls")).findFirst().orElseThrow();
        // no subPath: the kubelet swaps a rotated Secret's files in place, and Jetway re-reads them
        assertThat(mount.has("subPath")).isFalse();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        JsonNode volume = r.one("Deployment").at("/spec/template/spec/volumes").findParents("name").stream()
                .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst().orElseThrow();
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("qwen-epp-tls");
        assertThat(volume.at("/secret/items").isMissingNode()).as("tls.crt, tls.key and ca.crt").isTrue();

        Rendered oneWay = Rendered.template("epp-tls-secret-values.yaml", "extProcTls.clientCa", "false");
        assertThat(texts(oneWay.container().path("args"))).endsWith("--cert-path", "/etc/jetway-tls");
    }

    @Test
    void eppPoolOptionsReachTheInferencePool() {
        JsonNode pool = Rendered.template("epp-values.yaml", "inferencePool.failureMode", "FailClose",
                "inferencePool.appProtocol", "kubernetes.io/h2c", "inferencePool.name", "qwen",
                "ports.extProc", "9102").one("InferencePool");
        assertThat(pool.at("/metadata/name").asText()).isEqualTo("qwen");
        assertThat(pool.at("/spec/appProtocol").asText()).isEqualTo("kubernetes.io/h2c");
        assertThat(pool.at("/spec/endpointPickerRef/failureMode").asText()).isEqualTo("FailClose");
        assertThat(pool.at("/spec/endpointPickerRef/port/number").asInt()).isEqualTo(9102);
    }

    // ---- clear errors -------------------------------------------------------------------------------------------

    @Test
    void withoutModelServersTheChartSaysWhatToSet() {
        assertThatThrownBy(() -> Rendered.template((String) null))
                .hasMessageContaining("pool: where are the model servers? Set pool.endpoints");
    }

    @Test
    void malformedValuesAreRefusedWithTheKeyToFix() {
        assertThatThrownBy(() -> Rendered.template("epp-values.yaml", "inferencePool.modelServers.matchLabels", "null"))
                .hasMessageContaining("inferencePool.modelServers.matchLabels: the labels of the model-server pods");
        assertThatThrownBy(() -> Rendered.template("gateway-static-values.yaml", "mode", "proxy"))
                .hasMessageContaining("mode: \"proxy\" is not a mode");
        assertThatThrownBy(() -> Rendered.template("gateway-static-values.yaml", "pool.inferencePool.name", "qwen"))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> Rendered.template("gateway-static-values.yaml", "pool.endpoints[1].address", ""))
                .hasMessageContaining("pool.endpoints[1]: needs an address");
        assertThatThrownBy(() -> Rendered.template("epp-values.yaml", "inferencePool.failureMode", "Open"))
                .hasMessageContaining("inferencePool.failureMode: \"Open\"");
        assertThatThrownBy(() -> Rendered.template("epp-existing-pool-values.yaml", "inferencePool.name", ""))
                .hasMessageContaining("inferencePool.create is false: name the existing InferencePool");
        assertThatThrownBy(() -> Rendered.template("epp-values.yaml", "ports.grpcHealth", "9002"))
                .hasMessageContaining("ports.grpcHealth: with extProcTls the ext_proc port speaks TLS, which the "
                        + "kubelet's gRPC probes cannot");
        assertThatThrownBy(() -> Rendered.template("epp-values.yaml", "extProcTls.clientCa", "true"))
                .hasMessageContaining("extProcTls.clientCa: mutual TLS checks the Gateway's certificate against the "
                        + "ca.crt of extProcTls.secretName");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, Integer> ports(JsonNode container) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        container.path("ports").forEach(p -> out.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return out;
    }

    private static void merge(ObjectNode into, JsonNode from) {
        for (Map.Entry<String, JsonNode> e : from.properties()) {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    private static Path copyChart(Path to) throws IOException {
        Path from = Rendered.chart();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
