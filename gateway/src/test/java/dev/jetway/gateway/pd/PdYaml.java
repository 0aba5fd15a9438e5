package dev.jetway.gateway.pd;

import java.util.List;
import java.util.stream.Collectors;

/** jetway.yaml of one P/D pool {@code p} serving model {@code m}: every request split (always-disagg-pd-decider). */
final class PdYaml {

    private PdYaml() {
    }

    record Member(String address, String role) {
    }

    static String pool(String model, List<Member> members, boolean fallback, String disaggregation,
                       String upstreamExtra) {
        String endpoints = members.stream().map(m -> "      - {address: \"" + m.address() + "\", role: " + m.role()
                + "}").collect(Collectors.joining("\n"));
        return "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                + "upstream: {connectTimeout: 500ms, retryBackoff: 1ms" + upstreamExtra + "}\n"
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n"
                + "pools:\n  - name: p\n    models: [" + model + "]\n"
                + "    disaggregation: " + disaggregation + "\n"
                + "    endpointPicker: |\n"
                + "      apiVersion: llm-d.ai/v1\n"
                + "      kind: EndpointPickerConfig\n"
                + "      plugins:\n"
                + "      - type: prefill-filter\n"
                + "      - type: decode-filter\n"
                + "      - type: queue-scorer\n"
                + "      - type: always-disagg-pd-decider\n"
                + "      - type: disagg-profile-handler\n"
                + "        parameters: {deciders: {prefill: always-disagg-pd-decider}, aggregatedFallback: " + fallback
                + "}\n"
                + "      schedulingProfiles:\n"
                + "      - name: prefill\n"
                + "        plugins: [{pluginRef: prefill-filter}, {pluginRef: queue-scorer}]\n"
                + "      - name: decode\n"
                + "        plugins: [{pluginRef: decode-filter}, {pluginRef: queue-scorer}]\n"
                + "    endpoints:\n" + endpoints + "\n";
    }
}
