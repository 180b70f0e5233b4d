{{/* Names: <release>-goim-<component>, cut to 63 characters. */}}
{{- define "goim.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "goim.name" -}}
{{- printf "%s-%s" (include "goim.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "goim.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "goim.labels" -}}
{{ include "goim.selectorLabels" . }}
app.kubernetes.io/part-of: goim
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of the chart's objects that are not one component's */}}
{{- define "goim.commonLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: goim
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* image: dict root, svc (the service's values) */}}
{{- define "goim.image" -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .root.Values.image.registry) .svc.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .svc.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "goim.eurekaUrl" -}}
{{- if .Values.eureka.enabled -}}
{{- printf "http://%s:%d/eureka/" (include "goim.name" (dict "root" . "component" "eureka")) (int .Values.eureka.service.port) -}}
{{- else -}}
{{- required "eureka.url is required when eureka.enabled is false" .Values.eureka.url -}}
{{- end -}}
{{- end -}}

{{/* The Secret the chart makes for auth and API keys (when it makes one) */}}
{{- define "goim.secretName" -}}
{{- include "goim.name" (dict "root" . "component" "secrets") -}}
{{- end -}}

{{- define "goim.jwtSecretName" -}}
{{- .Values.auth.jwt.existingSecret | default (include "goim.secretName" .) -}}
{{- end -}}

{{- define "goim.apiKeysSecretName" -}}
{{- .Values.api.existingSecret | default (include "goim.secretName" .) -}}
{{- end -}}

{{/* true when the chart makes its own Secret */}}
{{- define "goim.makesSecret" -}}
{{- if or (and (eq .Values.auth.mode "jwt") .Values.auth.jwt.secret (not .Values.auth.jwt.existingSecret)) (and .Values.api.keys (not .Values.api.existingSecret)) -}}
true
{{- end -}}
{{- end -}}

{{/*
Env every service has: where Eureka is, the pod's own IP as what it registers (eureka.instance
ip-address), JVM options.
*/}}
{{- define "goim.commonEnv" -}}
- name: EUREKA_URL
  value: {{ include "goim.eurekaUrl" .root | quote }}
- name: GOIM_HOST_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: JAVA_TOOL_OPTIONS
  value: {{ trim (printf "%s %s" .root.Values.javaOpts .svc.javaOpts) | quote }}
{{- end -}}

{{/* Actuator's health groups (management.endpoint.health.probes.enabled in each application.yml) */}}
{{- define "goim.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .startup.periodSeconds | default 5 }}
  failureThreshold: {{ .startup.failureThreshold | default 24 }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{- define "goim.podSpecExtras" -}}
{{- with .svc.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Redis for logic (sessions, the user inbox) and job (room history, docs/recovery.md) */}}
{{- define "goim.redisEnv" -}}
{{- if eq .Values.redis.mode "standalone" }}
- name: REDIS_HOST
  value: {{ .Values.redis.host | quote }}
- name: REDIS_PORT
  value: {{ .Values.redis.port | quote }}
{{- else if eq .Values.redis.mode "sentinel" }}
- name: SPRING_DATA_REDIS_SENTINEL_MASTER
  value: {{ .Values.redis.sentinel.master | quote }}
- name: SPRING_DATA_REDIS_SENTINEL_NODES
  value: {{ join "," .Values.redis.sentinel.nodes | quote }}
{{- else }}
- name: SPRING_DATA_REDIS_CLUSTER_NODES
  value: {{ join "," .Values.redis.cluster.nodes | quote }}
{{- end }}
{{- if .Values.redis.ssl }}
- name: SPRING_DATA_REDIS_SSL_ENABLED
  value: "true"
{{- end }}
{{- if .Values.redis.password.existingSecret }}
- name: SPRING_DATA_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.password.existingSecret }}
      key: {{ .Values.redis.password.key }}
{{- if eq .Values.redis.mode "sentinel" }}
- name: SPRING_DATA_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.password.existingSecret }}
      key: {{ .Values.redis.password.key }}
{{- end }}
{{- end }}
{{- end }}
