{{/*
Names. Namespaced objects carry fixed names (nova-operator, and each deployable's key), because
NovaMigrations and the operator's RBAC name them; so one release per namespace. Cluster-scoped
objects add the namespace, so two releases in two namespaces do not collide.
*/}}
{{- define "nova.operatorName" -}}nova-operator{{- end }}

{{- define "nova.clusterScopedName" -}}nova-operator-{{ .Release.Namespace }}{{- end }}

{{- define "nova.chart" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "nova.labels" -}}
helm.sh/chart: {{ include "nova.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: nova
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* Labels of an object that belongs to one deployable; call with (dict "root" $ "name" <name>). */}}
{{- define "nova.objectLabels" -}}
{{ include "nova.labels" .root }}
app.kubernetes.io/name: {{ .name }}
{{- end }}

{{/* Selector labels of one deployable; call with (dict "root" $ "name" <name>). */}}
{{- define "nova.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/*
A full image reference; call with (dict "root" $ "image" <image values>):
<registry>/<repository>@<digest>, or <registry>/<repository>:<tag> (tag defaulting to the global
one, then to the chart's appVersion).
*/}}
{{- define "nova.image" -}}
{{- $global := .root.Values.image -}}
{{- $repository := .image.repository -}}
{{- if $global.registry -}}{{- $repository = printf "%s/%s" (trimSuffix "/" $global.registry) $repository -}}{{- end -}}
{{- if .image.digest -}}
{{ $repository }}@{{ .image.digest }}
{{- else -}}
{{ $repository }}:{{ .image.tag | default $global.tag | default .root.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* Grace period: the preStop sleep, then the drain deadline, then 5 s of margin. */}}
{{- define "nova.terminationGracePeriodSeconds" -}}
{{ add .Values.preStopSleepSeconds .Values.shutdownTimeoutSeconds 5 }}
{{- end }}

{{- define "nova.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "nova.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
privileged: false
capabilities:
  drop: [ALL]
{{- end }}

{{/*
Probes on the contract's endpoints; call with (dict "defaults" .Values.probes "own" <overrides>
"port" <port name>).
*/}}
{{- define "nova.probes" -}}
{{- $own := .own | default dict -}}
startupProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  {{- toYaml (merge (deepCopy ($own.startup | default dict)) .defaults.startup) | nindent 2 }}
livenessProbe:
  httpGet: { path: /healthz, port: {{ .port }} }
  {{- toYaml (merge (deepCopy ($own.liveness | default dict)) .defaults.liveness) | nindent 2 }}
readinessProbe:
  httpGet: { path: /readyz, port: {{ .port }} }
  {{- toYaml (merge (deepCopy ($own.readiness | default dict)) .defaults.readiness) | nindent 2 }}
{{- end }}

{{/* Environment every deployable shares (the lead's contract); call with (dict "root" $ "name" <name> "port" <port>). */}}
{{- define "nova.commonEnv" -}}
- name: NOVA_HTTP_ADDRESS
  value: "0.0.0.0:{{ .port }}"
- name: NOVA_LOG_LEVEL
  value: {{ .logLevel | default .root.Values.logLevel | quote }}
- name: NOVA_NAMESPACE
  valueFrom:
    fieldRef: { fieldPath: metadata.namespace }
- name: NOVA_SHUTDOWN_TIMEOUT
  value: "{{ .root.Values.shutdownTimeoutSeconds }}s"
{{- if .root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .root.Values.otel.endpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .name | quote }}
{{- end }}
{{- end }}

{{/*
A deployable's database logins (docs/packaging.md, "One database login per deployable"):
NOVA_DATABASE_URL, its runtime login: the `postgresql` block with the deployable's own `database`
overrides (existingSecret, user, passwordKey, urlKey; an empty or absent field keeps the shared
one); and NOVA_MIGRATION_DATABASE_URL when `postgresql.migration.existingSecret` is set: the login
that runs its start-up migrations. Takes (dict "root" $ "database" $svc.database).
*/}}
{{- define "nova.databaseEnv" -}}
{{- $pg := omit .root.Values.postgresql "migration" -}}
{{- $own := ternary .database (dict) (kindIs "map" .database) -}}
{{- include "nova.postgresqlUrlEnv" (dict "prefix" "NOVA_DATABASE" "login" (merge (deepCopy $own) $pg)) }}
{{- with .root.Values.postgresql.migration }}
{{- if .existingSecret }}
{{- include "nova.postgresqlUrlEnv" (dict "prefix" "NOVA_MIGRATION_DATABASE" "login" (merge (deepCopy .) $pg)) }}
{{- end }}
{{- end }}
{{- end }}

{{/* <prefix>_URL from one login: a whole URL from its Secret, or composed around the Secret's password. */}}
{{- define "nova.postgresqlUrlEnv" -}}
{{- $pg := .login -}}
{{- if $pg.urlKey }}
- name: {{ .prefix }}_URL
  valueFrom:
    secretKeyRef: { name: {{ $pg.existingSecret | quote }}, key: {{ $pg.urlKey | quote }} }
{{- else }}
- name: {{ .prefix }}_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $pg.existingSecret | quote }}, key: {{ $pg.passwordKey | quote }} }
{{- /* $(VAR) is expanded by the kubelet from the variable above: the password is never in the manifest. */}}
- name: {{ .prefix }}_URL
  value: "postgresql://{{ $pg.user }}:$({{ .prefix }}_PASSWORD)@{{ $pg.host }}:{{ $pg.port }}/{{ $pg.database }}?sslmode={{ $pg.sslMode }}"
{{- end }}
{{- end }}

{{/*
The admins' Telegram ids, comma-separated, digit for digit. A values file's number is a float to
Helm, which `join` would print as 1.23456789e+08; ids (at most 16 digits) are exact in a float's
53-bit mantissa, so int64 gives them back.
*/}}
{{- define "nova.adminIds" -}}
{{- $ids := list -}}
{{- range . }}{{- $ids = append $ids (printf "%d" (int64 .)) -}}{{- end -}}
{{- join "," $ids -}}
{{- end }}
