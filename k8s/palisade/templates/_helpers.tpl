{{/*
What each service is and needs: its schema and database roles, which platform keys it reads, whether it sends mail,
what it calls on the internet. Fixed by the chart, not by values: secret scoping must not be one typo away.
*/}}
{{- define "palisade.catalog" -}}
tenant-service:
  schema: tenancy
  ownerRole: tenancy_owner
  appRole: tenant_service
  migrationWeight: -20
  keys: {}
  platformAdmin: true
  mail: true
  internet: true
booking-service:
  schema: booking
  ownerRole: booking_owner
  appRole: booking_service
  migrationWeight: -10
  keys:
    PALISADE_GUEST_TOKENS_PAYMENT_KEY: payment-token-key
    PALISADE_GUEST_TOKENS_BOOKING_KEY: booking-token-key
  mail: true
payment-service:
  schema: payment
  ownerRole: payment_owner
  appRole: payment_service
  migrationWeight: -10
  keys:
    PALISADE_GUEST_TOKENS_PAYMENT_KEY: payment-token-key
  stripe: true
  mail: true
  internet: true
audit-service:
  schema: audit
  ownerRole: audit_owner
  appRole: audit_service
  migrationWeight: -10
  keys:
    PALISADE_AUDIT_CHECKPOINT_KEY: audit-checkpoint-key
  mail: true
webhook-service:
  schema: webhook
  ownerRole: webhook_owner
  appRole: webhook_service
  migrationWeight: -10
  keys: {}
  webhooks: true
{{- end }}

{{/* Labels of every object, for those whose selector labels (palisade.selector) do not follow. */}}
{{- define "palisade.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "palisade.chartLabels" . }}
{{- end }}

{{/* Labels beside a workload's selector labels (which name the instance). */}}
{{- define "palisade.chartLabels" -}}
app.kubernetes.io/part-of: palisade
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/*
Hook annotations. With hooks.renderAsManifests (offline checks, and tools that cannot run Helm hooks) the same
values are kept under palisade.io/ so that Helm renders the hook Jobs as plain manifests.
*/}}
{{- define "palisade.hook" -}}
{{- $root := index . 0 -}}
{{- $prefix := ternary "palisade.io/rendered-" "helm.sh/" $root.Values.hooks.renderAsManifests -}}
{{ $prefix }}hook: {{ index . 1 }}
{{ $prefix }}hook-weight: {{ index . 2 | quote }}
{{ $prefix }}hook-delete-policy: {{ index . 3 }}
{{- end }}

{{/* Selector labels of one workload: {{ include "palisade.selector" (list $ "booking-service" "api") }} */}}
{{- define "palisade.selector" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/component: {{ index . 2 }}
{{- end }}

{{- define "palisade.fullname" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" $root.Release.Name (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "palisade.image" -}}
{{- $root := index . 0 -}}
{{- printf "%s/%s:%s" $root.Values.image.registry (index . 1) ($root.Values.image.tag | default $root.Chart.AppVersion) }}
{{- end }}

{{/* One service's settings merged over the defaults. */}}
{{- define "palisade.serviceValues" -}}
{{- $root := index . 0 -}}
{{- toYaml (mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy (index $root.Values.services (index . 1) | default dict))) }}
{{- end }}

{{/* The restricted pod security context every Palisade pod runs with. */}}
{{- define "palisade.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "palisade.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "palisade.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: {{ index . 2 }}
{{- end }}

{{/*
The environment of one service, serving or migrating: (list $ service mode) with mode "serve", "migrate" or "rotate"
(tenant-service's master-key rotation: serving settings and keys, as the schema owner). Plain settings first, then
secret references, only those the catalog gives the service; the schema owner's password only when migrating or
rotating.
*/}}
{{- define "palisade.env" -}}
{{- $root := index . 0 -}}
{{- $service := index . 1 -}}
{{- $mode := index . 2 -}}
{{- $entry := index (include "palisade.catalog" $root | fromYaml) $service -}}
{{- $values := include "palisade.serviceValues" (list $root $service) | fromYaml -}}
{{- $db := $root.Values.database -}}
- name: QUARKUS_HTTP_PORT
  value: "8080"
- name: JAVA_OPTS_APPEND
  value: {{ printf "-XX:MaxRAMPercentage=%v" $values.heapPercentOfLimit | quote }}
- name: PALISADE_DB_HOST
  value: {{ if and (eq $mode "serve") $db.poolerHost }}{{ $db.poolerHost }}{{ else }}{{ $db.host }}{{ end }}
- name: PALISADE_DB_PORT
  value: {{ $db.port | quote }}
- name: PALISADE_DB_NAME
  value: {{ $db.name }}
{{- if $db.tls.enabled }}
{{- $ca := printf "/etc/palisade/db-ca/%s" $db.tls.caKey }}
# TLS to PostgreSQL, the server's certificate checked against the cluster's CA.
- name: QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE
  value: verify-ca
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM
  value: "true"
- name: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS
  value: {{ $ca }}
{{- if has $mode (list "migrate" "rotate") }}
- name: QUARKUS_DATASOURCE_MIGRATIONS_JDBC_URL
  value: {{ printf "jdbc:postgresql://%s:%v/%s?sslmode=verify-ca&sslrootcert=%s" $db.host $db.port $db.name $ca | quote }}
{{- end }}
{{- end }}
{{- if eq $mode "migrate" }}
# Apply the migrations as the schema owner and exit (profile migrate: no serving secret needed).
- name: QUARKUS_PROFILE
  value: prod,migrate
{{- else }}
{{- if eq $mode "rotate" }}
# Master-key rotation reads and reseals every tenant's sealed values as the schema owner, which no serving pod may be:
# the migrations datasource, without applying migrations (the pre-upgrade Jobs did).
- name: QUARKUS_DATASOURCE_MIGRATIONS_ACTIVE
  value: "true"
- name: QUARKUS_FLYWAY_MIGRATIONS_MIGRATE_AT_START
  value: "false"
{{- end }}
- name: PALISADE_ISSUER
  value: {{ $root.Values.issuer }}
- name: PALISADE_CRYPTO_KEY_VERSION
  value: {{ $root.Values.crypto.keyVersion | quote }}
- name: MP_JWT_VERIFY_PUBLICKEY_LOCATION
  value: {{ printf "http://%s:8080/.well-known/jwks.json" (include "palisade.fullname" (list $root "tenant-service")) }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $root.Values.kafka.bootstrapServers }}
- name: KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
{{- if $root.Values.kafka.tls.enabled }}
- name: KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/palisade/kafka-ca/{{ $root.Values.kafka.tls.caKey }}
{{- else }}
- name: KAFKA_SECURITY_PROTOCOL
  value: SASL_PLAINTEXT
{{- end }}
{{- if $entry.mail }}
- name: QUARKUS_MAILER_HOST
  value: {{ $root.Values.mail.host }}
- name: QUARKUS_MAILER_PORT
  value: {{ $root.Values.mail.port | quote }}
- name: QUARKUS_MAILER_START_TLS
  value: REQUIRED
- name: PALISADE_MAIL_FROM
  value: {{ $root.Values.mail.from | quote }}
{{- end }}
{{- if eq $service "tenant-service" }}
- name: PALISADE_GUESTS_SIGN_IN_URL
  value: {{ $root.Values.urls.guestSignIn | quote }}
- name: PALISADE_ACCOUNTS_LINK_BASE
  value: {{ $root.Values.urls.accountLinks | quote }}
{{- end }}
{{- if eq $service "booking-service" }}
- name: PALISADE_EMAIL_PROOFS_URL
  value: {{ $root.Values.urls.emailProof | quote }}
{{- end }}
{{- if eq $service "payment-service" }}
- name: PALISADE_CONNECT_RETURN_URL
  value: {{ $root.Values.urls.connectReturn | quote }}
- name: PALISADE_CONNECT_REFRESH_URL
  value: {{ $root.Values.urls.connectRefresh | quote }}
{{- end }}
{{- if and (eq $service "audit-service") $root.Values.audit.checkpointPreviousPublicKeys }}
- name: PALISADE_AUDIT_CHECKPOINT_PREVIOUS_PUBLIC_KEYS
  value: {{ join "," $root.Values.audit.checkpointPreviousPublicKeys | quote }}
{{- end }}
{{- if and (eq $service "audit-service") $root.Values.mail.securityAlertsTo }}
- name: PALISADE_AUDIT_ALERTS_PLATFORM_EMAIL
  value: {{ $root.Values.mail.securityAlertsTo | quote }}
{{- end }}
{{- if and $entry.webhooks $root.Values.webhooks.allowedPorts }}
- name: PALISADE_WEBHOOKS_EGRESS_ALLOWED_PORTS
  value: {{ join "," $root.Values.webhooks.allowedPorts | quote }}
{{- end }}
{{- if $root.Values.ingress.enabled }}
- name: QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING
  value: "true"
- name: QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED
  value: "true"
- name: QUARKUS_HTTP_PROXY_TRUSTED_PROXIES
  value: {{ join "," $root.Values.ingress.trustedProxies | quote }}
{{- end }}
{{- if $root.Values.tracing.enabled }}
- name: QUARKUS_OTEL_SDK_DISABLED
  value: "false"
- name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $root.Values.tracing.endpoint | quote }}
{{- end }}
{{- range $name, $value := $values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{ include "palisade.secretEnv" (list "PALISADE_DB_APP_PASSWORD" (index $db.roleSecrets $entry.appRole) "password") }}
{{- if has $mode (list "migrate" "rotate") }}
{{ include "palisade.secretEnv" (list "PALISADE_DB_OWNER_PASSWORD" (index $db.roleSecrets $entry.ownerRole) "password") }}
{{- end }}
{{- if eq $mode "migrate" }}
{{- if $entry.platformAdmin }}
{{- /* The first platform admin is created by tenant-service's migration run, as the schema owner. */}}
{{ include "palisade.secretEnv" (list "PALISADE_PLATFORM_ADMIN_EMAIL" $root.Values.secrets.platformAdmin "email") }}
{{ include "palisade.secretEnv" (list "PALISADE_PLATFORM_ADMIN_PASSWORD" $root.Values.secrets.platformAdmin "password") }}
{{- /* And keeps the isolation gate's two tenants, whose owners sign in with this password. */}}
{{ include "palisade.secretEnv" (list "PALISADE_ISOLATION_GATE_PASSWORD" $root.Values.secrets.isolationGate "password") }}
{{- end }}
{{- else }}
{{ include "palisade.secretEnv" (list "KAFKA_SASL_JAAS_CONFIG" (get $root.Values.kafka.userSecrets $service | default $service) "sasl.jaas.config") }}
{{ include "palisade.secretEnv" (list "PALISADE_CRYPTO_MASTER_KEY" $root.Values.secrets.keys $root.Values.crypto.masterKeyName) }}
{{ include "palisade.secretEnv" (list "PALISADE_CRYPTO_LOOKUP_KEY" $root.Values.secrets.keys "lookup-key") }}
{{- range $version, $key := $root.Values.crypto.previousKeys }}
{{- /* A map setting: the variable carries the property's own name (Kubernetes allows dots), as SmallRye reads maps. */}}
{{ include "palisade.secretEnv" (list (printf "palisade.crypto.previous-keys.%v" $version) $root.Values.secrets.keys $key) }}
{{- end }}
{{- range $name, $key := $entry.keys }}
{{ include "palisade.secretEnv" (list $name $root.Values.secrets.keys $key) }}
{{- end }}
{{- if $entry.stripe }}
{{ include "palisade.secretEnv" (list "PALISADE_STRIPE_SECRET_KEY" $root.Values.secrets.stripe "secret-key") }}
{{ include "palisade.secretEnv" (list "PALISADE_STRIPE_PUBLISHABLE_KEY" $root.Values.secrets.stripe "publishable-key") }}
{{ include "palisade.secretEnv" (list "PALISADE_STRIPE_WEBHOOK_SECRETS" $root.Values.secrets.stripe "webhook-secrets") }}
{{- end }}
{{- if $entry.mail }}
{{ include "palisade.secretEnv" (list "QUARKUS_MAILER_USERNAME" $root.Values.secrets.smtp "username") }}
{{ include "palisade.secretEnv" (list "QUARKUS_MAILER_PASSWORD" $root.Values.secrets.smtp "password") }}
{{- end }}
{{- end }}
{{- end }}

{{/* Egress rule to PostgreSQL: the cluster's pods (the primary's only, for migrations), or the external CIDRs. */}}
{{- define "palisade.egressDatabase" -}}
{{- $db := .root.Values.database -}}
- to:
    {{- if $db.cidrs }}
    {{- range $db.cidrs }}
    - ipBlock: {cidr: {{ . }}}
    {{- end }}
    {{- else }}
    - podSelector:
        matchLabels:
          {{- toYaml (ternary (merge (deepCopy $db.primarySelector) $db.podSelector) $db.podSelector .primaryOnly) | nindent 10 }}
    {{- end }}
  ports:
    - {protocol: TCP, port: {{ $db.port }}}
{{- end }}

{{/* Egress rule to cluster DNS: the DNS pods, and node-local caches or other resolvers named by address. */}}
{{- define "palisade.egressDns" -}}
{{- $dns := .Values.networkPolicies.dns -}}
- to:
    - namespaceSelector:
        matchLabels:
          {{- toYaml $dns.namespaceSelector | nindent 10 }}
      podSelector:
        matchLabels:
          {{- toYaml $dns.podSelector | nindent 10 }}
    {{- range $dns.cidrs }}
    - ipBlock: {cidr: {{ . }}}
    {{- end }}
  ports:
    {{- range $dns.ports }}
    - {protocol: UDP, port: {{ . }}}
    - {protocol: TCP, port: {{ . }}}
    {{- end }}
{{- end }}

{{/* Egress rule to public addresses on the given ports: IPv4 and IPv6, every blocked range excepted. */}}
{{- define "palisade.egressPublic" -}}
{{- $root := index . 0 -}}
{{- $blocked := $root.Values.networkPolicies.blockedRanges -}}
- to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except:
          {{- toYaml $blocked.ipv4 | nindent 10 }}
    - ipBlock:
        cidr: ::/0
        except:
          {{- toYaml $blocked.ipv6 | nindent 10 }}
  ports:
    {{- range index . 1 }}
    - {protocol: TCP, port: {{ . }}}
    {{- end }}
{{- end }}

{{/*
A pod's volumes and the mounts of its container: a writable /tmp on the read-only root, and the CAs it trusts.
(dict "root" $ "kafka" bool "tmpSize" "64Mi"); the archiver adds its own volume.
*/}}
{{- define "palisade.volumeMounts" -}}
- {name: tmp, mountPath: /tmp}
{{- if and .kafka .root.Values.kafka.tls.enabled }}
- {name: kafka-ca, mountPath: /etc/palisade/kafka-ca, readOnly: true}
{{- end }}
{{- if .root.Values.database.tls.enabled }}
- {name: db-ca, mountPath: /etc/palisade/db-ca, readOnly: true}
{{- end }}
{{- end }}

{{- define "palisade.volumes" -}}
{{- $values := .root.Values -}}
- name: tmp
  emptyDir: {sizeLimit: {{ .tmpSize }}}
{{- if and .kafka $values.kafka.tls.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ $values.kafka.tls.caSecret }}
    items: [{key: {{ $values.kafka.tls.caKey }}, path: {{ $values.kafka.tls.caKey }}}]
{{- end }}
{{- if $values.database.tls.enabled }}
- name: db-ca
  secret:
    secretName: {{ $values.database.tls.caSecret }}
    items: [{key: {{ $values.database.tls.caKey }}, path: {{ $values.database.tls.caKey }}}]
{{- end }}
{{- end }}
