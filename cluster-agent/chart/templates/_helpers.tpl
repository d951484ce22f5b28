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

{{- /* Queue mode: the agent drains its Storage Queue (AKVSYNC_QUEUE_NAME), with notify.mode=queue or beside push. */}}
{{- define "akvsync.queue" -}}
{{- if or (eq .Values.notify.mode "queue") .Values.queue.enabled }}true{{ end }}
{{- end }}

{{- /* The optional RBAC features the values switch off, as renderAgentRbac's `disabled` (a JSON list). */}}
{{- define "akvsync.disabledFeatures" -}}
{{- $off := list }}
{{- if not .Values.leaderElection.enabled }}{{ $off = append $off "leader-election" }}{{ end }}
{{- if ne .Values.accessPolicy.mode "crd" }}{{ $off = append $off "tenant-access-policy" }}{{ end }}
{{- if eq .Values.accessPolicy.mode "none" }}{{ $off = concat $off (list "tenant-namespace-labels" "tenant-identity") }}{{ end }}
{{- if not .Values.webhook.enabled }}
{{- $off = concat $off (list "env-injection-admission" "image-pull-secrets" "env-exec-token-review") }}
{{- end }}
{{- /* The webhook's own TLS Secret and caBundle: only when the agent manages them (not with cert-manager, nor without the webhook). */}}
{{- if not (include "akvsync.webhookAgentTls" .) }}
{{- $off = concat $off (list "env-injection-webhook" "webhook-tls-secret") }}
{{- end }}
{{- if not .Values.akv2k8sNamespaces }}{{ $off = append $off "akv2k8s-objects" }}{{ end }}
{{- if not .Values.argoRollouts.enabled }}{{ $off = append $off "argo-rollouts" }}{{ end }}
{{- toJson $off }}
{{- end }}

{{- /* The rules of one scope minus those of switched-off optional features (dict "rules" … "disabled" …). */}}
{{- define "akvsync.activeRules" -}}
{{- $out := list }}
{{- range .rules }}
{{- if has .feature $.disabled }}
{{- if not .optional }}{{ fail (printf "feature %s cannot be switched off" .feature) }}{{ end }}
{{- else }}
{{- $out = append $out . }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{- /* The ConfigMap holding the access-policy file (accessPolicy.mode=file): the named one, else the chart's own. */}}
{{- define "akvsync.accessPolicyConfigMap" -}}
{{- default (printf "%s-access-policy" (include "akvsync.fullname" .)) .Values.accessPolicy.file.configMapName }}
{{- end }}

{{- /* RBAC rules from files/rbac/rules.yaml: namedBy becomes resourceNames, and limitedToWatchedNamespaces the watched namespaces when listed (dict "rules" … "names" … "watchNamespaces" …). */}}
{{- define "akvsync.rbacRules" -}}
{{- $out := list }}
{{- range .rules }}
{{- $rule := dict "apiGroups" .apiGroups "resources" .resources "verbs" .verbs }}
{{- if .namedBy }}
{{- $name := get $.names .namedBy }}
{{- if not $name }}{{ fail (printf "files/rbac/rules.yaml names %s, which this chart does not set" .namedBy) }}{{ end }}
{{- $_ := set $rule "resourceNames" (list $name) }}
{{- end }}
{{- if .resourceNames }}{{ $_ := set $rule "resourceNames" .resourceNames }}{{ end }}
{{- if and .limitedToWatchedNamespaces $.watchNamespaces }}
{{- $_ := set $rule "resourceNames" $.watchNamespaces }}
{{- end }}
{{- $out = append $out $rule }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{- /* The env-injection webhook: its MutatingWebhookConfiguration, Service and certificate Secret. */}}
{{- define "akvsync.webhookConfigurationName" -}}
{{- printf "%s-env-injection" (include "akvsync.fullname" .) }}
{{- end }}

{{- define "akvsync.webhookService" -}}
{{- printf "%s-webhook" (include "akvsync.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "akvsync.webhookTlsSecret" -}}
{{- default (printf "%s-webhook-tls" (include "akvsync.fullname" .)) .Values.webhook.tls.secretName }}
{{- end }}

{{- define "akvsync.webhookAgentTls" -}}
{{- if and .Values.webhook.enabled (eq .Values.webhook.tls.mode "agent") }}true{{ end }}
{{- end }}

{{- define "akvsync.webhookCertManager" -}}
{{- if and .Values.webhook.enabled (eq .Values.webhook.tls.mode "certManager") }}true{{ end }}
{{- end }}
