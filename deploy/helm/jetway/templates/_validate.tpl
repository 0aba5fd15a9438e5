{{/* Refuses values that cannot work, with a message that says what to set. Included by the Deployment. */}}
{{- define "jetway.validate" -}}
{{- $v := .Values }}
{{- if not (has $v.mode (list "gateway" "epp")) }}
{{- fail (printf "mode: %q is not a mode; use gateway (Jetway is the proxy) or epp (Jetway is an InferencePool's endpoint picker)" (toString $v.mode)) }}
{{- end }}
{{- if lt (int $v.replicaCount) 1 }}
{{- fail "replicaCount: at least 1" }}
{{- end }}
{{- if and $v.pool.endpoints $v.pool.inferencePool.name }}
{{- fail "pool: set pool.endpoints (static model servers) or pool.inferencePool.name (discover them from an InferencePool), not both" }}
{{- end }}
{{- if and (eq $v.mode "gateway") (not $v.pool.endpoints) (not $v.pool.inferencePool.name) }}
{{- fail "pool: where are the model servers? Set pool.endpoints (e.g. --set 'pool.endpoints[0].address=vllm-0.vllm:8000') or pool.inferencePool.name (discover the pods of that InferencePool)" }}
{{- end }}
{{- range $i, $e := $v.pool.endpoints }}
{{- if not (and (kindIs "map" $e) $e.address) }}
{{- fail (printf "pool.endpoints[%d]: needs an address (host:port of the model server's OpenAI API)" $i) }}
{{- end }}
{{- end }}
{{- if eq $v.mode "epp" }}
{{- if and (not $v.inferencePool.create) (not $v.pool.endpoints) (not $v.pool.inferencePool.name) (not $v.inferencePool.name) }}
{{- fail "inferencePool.create is false: name the existing InferencePool this endpoint picker serves (inferencePool.name), or give pool.endpoints" }}
{{- end }}
{{- if and $v.inferencePool.create (empty $v.inferencePool.modelServers.matchLabels) }}
{{- fail "inferencePool.modelServers.matchLabels: the labels of the model-server pods (e.g. --set inferencePool.modelServers.matchLabels.app=vllm-qwen), or inferencePool.create=false to use an InferencePool that exists" }}
{{- end }}
{{- if not (has $v.inferencePool.failureMode (list "FailOpen" "FailClose")) }}
{{- fail (printf "inferencePool.failureMode: %q; use FailOpen or FailClose" (toString $v.inferencePool.failureMode)) }}
{{- end }}
{{- if and $v.extProcTls.enabled (eq (int $v.ports.grpcHealth) (int $v.ports.extProc)) }}
{{- fail "ports.grpcHealth: with extProcTls the ext_proc port speaks TLS, which the kubelet's gRPC probes cannot: give health a port of its own (e.g. 9003), or set extProcTls.enabled=false" }}
{{- end }}
{{- if and $v.extProcTls.clientCa (not (and $v.extProcTls.enabled $v.extProcTls.secretName)) }}
{{- fail "extProcTls.clientCa: mutual TLS checks the Gateway's certificate against the ca.crt of extProcTls.secretName; name that Secret (and keep extProcTls.enabled)" }}
{{- end }}
{{- end }}
{{- if lt (int $v.lifecycle.drainSeconds) 0 }}
{{- fail "lifecycle.drainSeconds: 0 or more" }}
{{- end }}
{{- if lt (int $v.lifecycle.preStopSleepSeconds) 0 }}
{{- fail "lifecycle.preStopSleepSeconds: 0 or more" }}
{{- end }}
{{- end }}
