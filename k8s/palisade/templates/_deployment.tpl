{{/*
One Deployment of a Palisade service: (dict "root" $ "service" name "component" "api"|"archiver" "replicas" n
"resources" {...} "archive" bool).
*/}}
{{- define "palisade.deployment" -}}
{{- $root := .root -}}
{{- $service := .service -}}
{{- $selector := include "palisade.selector" (list $root $service .component) -}}
{{- $values := include "palisade.serviceValues" (list $root $service) | fromYaml -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "palisade.fullname" (list $root (ternary "audit-archiver" $service .archive)) }}
  labels:
    {{- include "palisade.chartLabels" $root | nindent 4 }}
    {{- $selector | nindent 4 }}
spec:
  {{- if not (and $values.autoscaling.enabled (not .archive)) }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- if .archive }}
  # One writer per archive directory: the old pod is gone before the new one starts.
  strategy:
    type: Recreate
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  {{- end }}
  selector:
    matchLabels:
      {{- $selector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "palisade.chartLabels" $root | nindent 8 }}
        {{- $selector | nindent 8 }}
      annotations:
        # A changed setting or secret reference rolls the pods; secretsRevision does it for a changed Secret's content.
        checksum/config: {{ include "palisade.env" (list $root $service "serve") | sha256sum }}
        palisade.io/secrets-revision: {{ $root.Values.secretsRevision | quote }}
    spec:
      serviceAccountName: {{ include "palisade.fullname" (list $root $service) }}
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "palisade.podSecurityContext" $root | nindent 8 }}
      # Shutdown: readiness down 5 s, requests 20 s, consumers 30 s, deliveries 25 s (docs/operations.md).
      terminationGracePeriodSeconds: 90
      {{- if not .archive }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- $selector | nindent 14 }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- $selector | nindent 14 }}
      {{- end }}
      containers:
        - name: {{ $service }}
          image: {{ include "palisade.image" (list $root $service) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- include "palisade.containerSecurityContext" $root | nindent 12 }}
          ports:
            - name: http
              containerPort: 8080
            # Health and metrics: the management interface, never routed by the ingress.
            - name: management
              containerPort: 9000
          env:
            {{- include "palisade.env" (list $root $service "serve") | nindent 12 }}
            {{- if eq $service "audit-service" }}
            - name: PALISADE_AUDIT_ARCHIVE_ENABLED
              value: {{ .archive | quote }}
            {{- if .archive }}
            - name: PALISADE_AUDIT_ARCHIVE_DIRECTORY
              value: /var/lib/palisade/audit-archive
            {{- end }}
            {{- end }}
          startupProbe:
            httpGet: {path: /q/health/started, port: management}
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet: {path: /q/health/live, port: management}
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet: {path: /q/health/ready, port: management}
            periodSeconds: 5
            failureThreshold: 2
          resources:
            {{- toYaml .resources | nindent 12 }}
          volumeMounts:
            {{- include "palisade.volumeMounts" (dict "root" $root "kafka" true) | nindent 12 }}
            {{- if .archive }}
            - {name: audit-archive, mountPath: /var/lib/palisade/audit-archive}
            {{- end }}
      volumes:
        {{- include "palisade.volumes" (dict "root" $root "kafka" true "tmpSize" "256Mi") | nindent 8 }}
        {{- if .archive }}
        - name: audit-archive
          persistentVolumeClaim:
            claimName: {{ include "palisade.fullname" (list $root "audit-archive") }}
        {{- end }}
{{- end }}
