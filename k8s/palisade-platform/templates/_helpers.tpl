{{/* Labels every object of the chart carries. */}}
{{- define "platform.labels" -}}
app.kubernetes.io/part-of: palisade
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* The ACL table of files/kafka-acls.yaml: topics, and per user what it writes, reads and its consumer groups. */}}
{{- define "platform.kafkaAcls" -}}
{{- .Files.Get "files/kafka-acls.yaml" }}
{{- end }}

{{/* A Kafka topic's Kubernetes name: the topic name with dots as dashes (DNS-1123). */}}
{{- define "platform.topicResourceName" -}}
{{- . | replace "." "-" }}
{{- end }}

{{/* Name of the ObjectStore this release's cluster archives to. */}}
{{- define "platform.objectStore" -}}
{{- printf "%s-backups" .Values.postgresql.clusterName }}
{{- end }}
