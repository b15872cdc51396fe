{{/* Names, labels and the operator's RBAC rules, shared by the templates. */}}

{{- define "tributary.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: "<release>-operator" unless the release already says tributary. */}}
{{- define "tributary.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s-operator" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tributary.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tributary.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "tributary.labels" -}}
{{ include "tributary.selectorLabels" . }}
app.kubernetes.io/part-of: tributary
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "tributary.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tributary.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tributary.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "tributary.brokerImage" -}}
{{- printf "%s:%s" .Values.brokerImage.repository (default .Chart.AppVersion .Values.brokerImage.tag) -}}
{{- end -}}

{{/*
What the operator touches in the namespaces it watches, and nothing more:
- its own resources, their status (status subresource) and finalizers (KafkaTopic's finalizer;
  blockOwnerDeletion on owner references needs update on <kind>/finalizers);
- what a KafkaCluster becomes: StatefulSet, Services, ConfigMap, PodDisruptionBudget, ServiceAccount
  (server-side apply = patch; create for first writes; delete when a listener or the PDB goes away);
- PersistentVolumeClaims: read, and delete after a drained scale-down when spec.storage.deleteClaim;
- Pods: read (readiness drives the rolling restart) and delete (the restart itself, StatefulSet
  updateStrategy OnDelete);
- Events for important transitions.
Leases for leader election are granted separately, in the release namespace only.
*/}}
{{- define "tributary.rules" -}}
- apiGroups: ["tributary.io"]
  resources: ["kafkaclusters", "kafkatopics"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["tributary.io"]
  resources: ["kafkaclusters/status", "kafkatopics/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["tributary.io"]
  resources: ["kafkaclusters/finalizers", "kafkatopics/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps", "serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
