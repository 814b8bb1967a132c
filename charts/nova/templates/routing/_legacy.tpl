{{/* The Service and port every request goes to until a NovaMigration moves a prefix. */}}
{{- define "nova.legacyBackend" -}}
{{- $name := .Values.routing.legacyService -}}
{{- $entry := index .Values.services $name | default dict -}}
{{- if not $entry.enabled -}}
{{- fail (printf "routing.legacyService %q must name an enabled entry of services" $name) -}}
{{- end -}}
{{- $name }}:{{ $entry.port }}
{{- end }}
