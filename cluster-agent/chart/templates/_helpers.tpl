{{- define "akvsync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "akvsync.fullname" -}}
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

{{- define "akvsync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "akvsync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end }}

{{- define "akvsync.labels" -}}
{{ include "akvsync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "akvsync.serviceAccountName" -}}
{{- default (include "akvsync.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "akvsync.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "akvsync.push" -}}
{{- if eq .Values.notify.mode "push" }}true{{ end }}
{{- end }}

{{- /* RBAC rules from files/rbac/rules.yaml: namedBy becomes resourceNames (dict "rules" … "names" …). */}}
{{- define "akvsync.rbacRules" -}}
{{- $out := list }}
{{- range .rules }}
{{- $rule := dict "apiGroups" .apiGroups "resources" .resources "verbs" .verbs }}
{{- if .namedBy }}
{{- $name := get $.names .namedBy }}
{{- if not $name }}{{ fail (printf "files/rbac/rules.yaml names %s, which this chart does not set" .namedBy) }}{{ end }}
{{- $_ := set $rule "resourceNames" (list $name) }}
{{- end }}
{{- $out = append $out $rule }}
{{- end }}
{{- toYaml $out }}
{{- end }}
