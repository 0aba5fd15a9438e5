{{/*
Names and labels.
*/}}
{{- define "jetway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "jetway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "jetway.component" -}}
{{- if eq .Values.mode "epp" }}endpoint-picker{{ else }}gateway{{ end }}
{{- end }}

{{- define "jetway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jetway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "jetway.component" . }}
{{- end }}

{{- define "jetway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "jetway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "jetway.serviceName" -}}
{{- if eq .Values.mode "epp" }}{{ printf "%s-epp" (include "jetway.fullname" .) | trunc 63 | trimSuffix "-" }}{{ else }}{{ include "jetway.fullname" . }}{{ end }}
{{- end }}

{{- define "jetway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "jetway.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "jetway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "jetway.peersServiceName" -}}
{{- printf "%s-peers" (include "jetway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "true" when the replicas exchange digests: more than one of them, and peers.enabled. */}}
{{- define "jetway.peers" -}}
{{- if and .Values.peers.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{- define "jetway.inferencePoolName" -}}
{{- default (include "jetway.fullname" .) .Values.inferencePool.name }}
{{- end }}

{{- define "jetway.terminationGracePeriodSeconds" -}}
{{- add (int .Values.lifecycle.preStopSleepSeconds) (int .Values.lifecycle.drainSeconds) 5 }}
{{- end }}

{{/*
The InferencePool the pool's endpoints are discovered from: pool.inferencePool.name, or in epp mode the pool this
release serves. Empty: static endpoints.
*/}}
{{- define "jetway.discoveredPool" -}}
{{- if .Values.pool.inferencePool.name }}{{ .Values.pool.inferencePool.name }}
{{- else if and (eq .Values.mode "epp") (not .Values.pool.endpoints) }}{{ include "jetway.inferencePoolName" . }}
{{- end }}
{{- end }}

{{/* "true" when Jetway reads the API server: a discovered pool, or an EndpointPickerConfig from a ConfigMap. */}}
{{- define "jetway.discovery" -}}
{{- if or (include "jetway.discoveredPool" .) .Values.pool.endpointPickerConfigMap.name }}true{{ end }}
{{- end }}

{{/* ==========================================================================================================
     Where the chart meets the jetway command. Everything that depends on how `jetway gateway`, `jetway epp` and
     Kubernetes discovery read their flags and keys is in the five definitions below, so that a change there is a
     change here only.
     ========================================================================================================== */}}

{{/* The container's arguments (the image's entrypoint is the jetway command). */}}
{{- define "jetway.args" -}}
{{- if eq .Values.mode "epp" }}
- epp
- --config
- /etc/jetway/jetway.yaml
- --port
- {{ .Values.ports.extProc | quote }}
{{- if ne (int .Values.ports.grpcHealth) (int .Values.ports.extProc) }}
- --health-port
- {{ .Values.ports.grpcHealth | quote }}
{{- end }}
{{- with .Values.extProcTls }}
{{- if and .enabled .secretName }}
- --cert-path
- {{ include "jetway.extProcTlsDir" $ }}
{{- if .clientCa }}
- --tls-client-ca
- {{ printf "%s/ca.crt" (include "jetway.extProcTlsDir" $) }}
{{- end }}
{{- else if .enabled }}
- --secure-serving
{{- else }}
- --secure-serving=false
{{- end }}
{{- end }}
{{- else }}
- gateway
- --config
- /etc/jetway/jetway.yaml
{{- end }}
{{- end }}

{{/* jetway.yaml's server section. host 0.0.0.0: Jetway binds loopback unless told, and in a pod the Service, the
     Gateway and the kubelet's probes come from outside. drainTimeout is lifecycle.drainSeconds, the same number
     terminationGracePeriodSeconds is made of, so the kubelet never kills a drain that is still in time. */}}
{{- define "jetway.serverConfig" -}}
host: 0.0.0.0
port: {{ .Values.ports.http }}
adminHost: 0.0.0.0
adminPort: {{ .Values.ports.admin }}
drainTimeout: {{ printf "%ds" (int .Values.lifecycle.drainSeconds) }}
{{- end }}

{{/* epp mode: where the TLS Secret of the ext_proc port is mounted (a directory: tls.crt, tls.key, ca.crt), without
     subPath, so that the kubelet's updates of a rotated Secret reach the files Jetway re-reads. */}}
{{- define "jetway.extProcTlsDir" -}}/etc/jetway-tls{{- end }}

{{/* The Secret holding the admin port's bearer token (key `token`), and where the pod mounts it. */}}
{{- define "jetway.adminTokenSecret" -}}
{{- default (printf "%s-admin-token" (include "jetway.fullname" .)) .Values.adminToken.existingSecret }}
{{- end }}
{{- define "jetway.adminTokenDir" -}}/etc/jetway-admin{{- end }}

{{/* jetway.yaml's peers section: the other replicas, found through the headless Service over their admin ports. */}}
{{- define "jetway.peersConfig" -}}
dns: {{ printf "%s.%s.svc:%d" (include "jetway.peersServiceName" .) .Release.Namespace (int .Values.ports.admin) }}
interval: {{ .Values.peers.interval }}
timeout: {{ .Values.peers.timeout }}
{{- end }}

{{/* How pools[0] names its source of endpoints: static endpoints, or the InferencePool to discover them from (in
     the release's namespace: jetway.yaml's kubernetes.namespace defaults to the pod's own). */}}
{{- define "jetway.poolSource" -}}
{{- $discovered := include "jetway.discoveredPool" . }}
{{- if $discovered }}
inferencePool:
  name: {{ $discovered }}
  {{- if gt (int .Values.pool.inferencePool.kvEventsPort) 0 }}
  kvEventsPort: {{ int .Values.pool.inferencePool.kvEventsPort }}
  {{- end }}
{{- else }}
endpoints:
{{- toYaml .Values.pool.endpoints | nindent 2 }}
{{- end }}
{{- end }}

{{/* Probes: HTTP on the API port (gateway; the admin port wants the admin token), gRPC health services
     liveness/readiness (epp). */}}
{{- define "jetway.probe" -}}
{{- $root := index . 0 }}{{ $kind := index . 1 }}
{{- if eq $root.Values.mode "epp" }}
grpc:
  port: {{ $root.Values.ports.grpcHealth }}
  service: {{ if eq $kind "readiness" }}readiness{{ else }}liveness{{ end }}
{{- else }}
httpGet:
  path: {{ if eq $kind "readiness" }}/ready{{ else }}/health{{ end }}
  port: http
{{- end }}
{{- end }}
