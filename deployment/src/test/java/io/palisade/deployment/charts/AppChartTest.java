package io.palisade.deployment.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;


import io.palisade.devstack.ServiceSpec;

/**
 * k8s/palisade: lints strictly; every value profile renders valid objects on every supported Kubernetes version; every
 * pod runs restricted with a memory limit and real probes; selectors match; secrets reach only the services that use
 * them and owner passwords only the migration Jobs (tenant-service's first) and the master-key rotation; the network
 * policies deny by default and keep the webhook sender off private addresses.
 */
class AppChartTest {

    private static final Chart CHART = Chart.APP;
    static final Map<String, Object> HOOKS = Map.of("hooks.renderAsManifests", true);

    /** The profiles of the issue: minimal, HA with HPA, external data plane, ingress on, tracing on (and monitoring). */
    static Map<String, Map<String, Object>> profiles() {
        Map<String, Map<String, Object>> profiles = new LinkedHashMap<>();
        profiles.put("minimal", with(Map.of("defaults.replicas", 1, "gate.enabled", false)));
        profiles.put("defaults", with(Map.of()));
        profiles.put("ha", with(Map.of("defaults.replicas", 3, "defaults.autoscaling.enabled", true,
                "defaults.autoscaling.minReplicas", 3, "defaults.autoscaling.maxReplicas", 10)));
        profiles.put("external", with(Map.of("database.host", "pg.example.internal", "database.cidrs[0]", "10.20.0.0/24",
                "database.tls.enabled", false, "kafka.bootstrapServers", "kafka-1.example.internal:9093,kafka-2.example.internal:9093",
                "kafka.cidrs[0]", "10.30.0.0/24", "mail.cidrs[0]", "10.40.0.10/32")));
        profiles.put("ingress", ingress());
        profiles.put("tracing-monitoring", with(Map.of("tracing.enabled", true, "tracing.endpoint", "http://otel-collector.monitoring:4317",
                "metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true, "database.poolerHost", "palisade-db-pooler-rw")));
        return profiles;
    }

    static Map<String, Object> ingress() {
        return with(Map.of("ingress.enabled", true, "ingress.trustedProxies[0]", "10.0.0.0/8", "webhooks.allowedPorts[0]", 8443));
    }

    static Map<String, Object> with(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(HOOKS);
        all.putAll(values);
        return all;
    }

    static Stream<Arguments> matrix() {
        return profiles().entrySet().stream().flatMap(profile -> Chart.KUBE_VERSIONS.stream()
                .map(kube -> Arguments.of(profile.getKey(), kube, profile.getValue())));
    }

    static Stream<Arguments> everyProfile() {
        return profiles().entrySet().stream().map(profile -> Arguments.of(profile.getKey(), profile.getValue()));
    }

    @Test
    void lintsStrictly() {
        CHART.assertLintsStrictly();
    }

    @ParameterizedTest(name = "{0} on Kubernetes {1}")
    @MethodSource("matrix")
    void everyProfileRendersValidObjects(String profile, String kubeVersion, Map<String, Object> values) {
        assertEquals(List.of(), Schemas.problems(CHART.render(kubeVersion, values).all()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyProfile")
    void everyContainerRunsRestrictedWithAMemoryLimitAndAPinnedImage(String profile, Map<String, Object> values) {
        for (Workload workload : Workload.all(CHART.render(values))) {
            Node pod = workload.podSpec();
            assertEquals("false", pod.text("automountServiceAccountToken"), workload + ": no API token");
            assertEquals("true", pod.text("securityContext.runAsNonRoot"), workload.toString());
            assertEquals("RuntimeDefault", pod.text("securityContext.seccompProfile.type"), workload.toString());
            for (Node container : pod.list("containers")) {
                String where = workload + " " + container.text("name");
                assertEquals("true", container.text("securityContext.runAsNonRoot"), where);
                assertEquals("true", container.text("securityContext.readOnlyRootFilesystem"), where);
                assertEquals("false", container.text("securityContext.allowPrivilegeEscalation"), where);
                assertEquals(List.of("ALL"), container.get("securityContext.capabilities.drop").value(), where);
                assertEquals("RuntimeDefault", container.text("securityContext.seccompProfile.type"), where);
                assertNotNull(container.text("resources.limits.memory"), where + ": memory limit");
                String image = container.text("image");
                assertTrue(image.matches("[^:]+:[\\w][\\w.-]*") && !image.endsWith(":latest"), where + ": pinned image " + image);
                Set<String> mounts = container.list("volumeMounts").stream().map(m -> m.text("mountPath")).collect(Collectors.toSet());
                assertTrue(mounts.contains("/tmp"), where + ": a writable /tmp on the read-only root");
                Set<String> names = new HashSet<>();
                container.list("env").forEach(env -> assertTrue(names.add(env.text("name")), where + ": env twice " + env.text("name")));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyProfile")
    void everyServingContainerHasThreeProbesOnQuarkusHealthPathsAndItsOwnPort(String profile, Map<String, Object> values) {
        List<Workload> deployments = Workload.all(CHART.render(values)).stream().filter(w -> w.object().kind().equals("Deployment")).toList();
        assertEquals(6, deployments.size(), "five services and the audit archiver");
        for (Workload deployment : deployments) {
            Node container = deployment.podSpec().list("containers").get(0);
            Set<String> ports = container.list("ports").stream().map(p -> p.text("name")).collect(Collectors.toSet());
            Map<String, String> paths = Map.of("startupProbe", "/q/health/started", "livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready");
            paths.forEach((probe, path) -> {
                assertEquals(path, container.text(probe + ".httpGet.path"), deployment + " " + probe);
                assertEquals("management", container.text(probe + ".httpGet.port"), deployment + " " + probe + " on the management port");
            });
            assertTrue(ports.contains("management"));
            assertEquals("9000", container.list("ports").get(1).text("containerPort"), "Quarkus' management interface");
            assertEquals("8080", container.list("ports").get(0).text("containerPort"));
            assertEquals("8080", env(container).get("QUARKUS_HTTP_PORT"), "the service listens where the probes ask");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyProfile")
    void metricsAndHealthAreOnTheManagementPortWhichNoIngressRoutes(String profile, Map<String, Object> values) {
        Chart.Rendered rendered = CHART.render(values);
        for (Node monitor : rendered.kind("ServiceMonitor")) {
            monitor.list("spec.endpoints").forEach(endpoint -> assertEquals("management", endpoint.text("port"), monitor + " scrapes"));
        }
        for (Node ingress : rendered.kind("Ingress")) {
            for (Node rule : ingress.list("spec.rules")) {
                rule.list("http.paths").forEach(path -> assertEquals("http", path.text("backend.service.port.name"), ingress + " routes " + path.text("path")));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyProfile")
    void everySelectorMatchesAPodTemplate(String profile, Map<String, Object> values) {
        Chart.Rendered rendered = CHART.render(values);
        List<Workload> workloads = Workload.all(rendered);
        for (Node service : rendered.kind("Service")) {
            Map<String, Object> selector = service.get("spec.selector").map();
            assertTrue(workloads.stream().anyMatch(w -> w.object().kind().equals("Deployment") && w.selectedBy(new Node(Map.of("matchLabels", selector)))), service + " selects no pod");
        }
        for (Node budget : rendered.kind("PodDisruptionBudget")) {
            assertTrue(workloads.stream().anyMatch(w -> w.selectedBy(budget.get("spec.selector"))), budget + " selects no pod");
        }
        for (Node policy : rendered.kind("NetworkPolicy")) {
            assertTrue(workloads.stream().anyMatch(w -> w.selectedBy(policy.get("spec.podSelector"))),
                    policy + " selects no pod");
        }
        for (Node deployment : rendered.kind("Deployment")) {
            Map<String, Object> selector = deployment.get("spec.selector.matchLabels").map();
            assertTrue(deployment.get("spec.template.metadata.labels").map().entrySet().containsAll(selector.entrySet()), deployment.toString());
        }
        for (Node autoscaler : rendered.kind("HorizontalPodAutoscaler")) {
            assertEquals(1, rendered.kind("Deployment").stream().filter(d -> d.name().equals(autoscaler.text("spec.scaleTargetRef.name"))).count());
        }
    }

    @Test
    void replicasAboveOneGetADisruptionBudgetAndTheArchiverStaysSingle() {
        Chart.Rendered defaults = CHART.render(HOOKS);
        assertEquals(5, defaults.kind("PodDisruptionBudget").size());
        Node archiver = defaults.one("Deployment", "palisade-audit-archiver");
        assertEquals("1", archiver.text("spec.replicas"));
        assertEquals("Recreate", archiver.text("spec.strategy.type"));
        Node container = archiver.list("spec.template.spec.containers").get(0);
        assertEquals("true", env(container).get("PALISADE_AUDIT_ARCHIVE_ENABLED"));
        String claim = archiver.list("spec.template.spec.volumes").stream().filter(v -> v.get("persistentVolumeClaim").present())
                .findFirst().orElseThrow().text("persistentVolumeClaim.claimName");
        assertEquals("keep", defaults.one("PersistentVolumeClaim", claim).annotations().get("helm.sh/resource-policy"));
        Node audit = defaults.one("Deployment", "palisade-audit-service");
        assertEquals("false", env(audit.list("spec.template.spec.containers").get(0)).get("PALISADE_AUDIT_ARCHIVE_ENABLED"), "the scaled-out audit pods never archive");
        Chart.Rendered single = CHART.render(with(Map.of("defaults.replicas", 1)));
        assertTrue(single.kind("PodDisruptionBudget").isEmpty());
        Chart.Rendered ha = CHART.render(profiles().get("ha"));
        assertEquals(5, ha.kind("HorizontalPodAutoscaler").size());
        ha.kind("Deployment").stream().filter(d -> !d.name().equals("palisade-audit-archiver"))
                .forEach(d -> assertFalse(d.get("spec.replicas").present(), d + ": the autoscaler owns replicas"));
    }

    @Test
    void podTemplatesCarryTheConfigChecksumAndTheSecretsRevision() {
        Node before = CHART.render(HOOKS).one("Deployment", "palisade-booking-service");
        Node changed = CHART.render(with(Map.of("mail.host", "smtp2.palisade.example"))).one("Deployment", "palisade-booking-service");
        Node rotated = CHART.render(with(Map.of("secretsRevision", 2))).one("Deployment", "palisade-booking-service");
        String checksum = before.get("spec.template.metadata.annotations").map().get("checksum/config").toString();
        assertTrue(checksum.matches("[0-9a-f]{64}"));
        assertFalse(checksum.equals(changed.get("spec.template.metadata.annotations").map().get("checksum/config")));
        assertEquals("2", rotated.get("spec.template.metadata.annotations").map().get("palisade.io/secrets-revision"));
    }

    /**
     * Which secret keys each pod may read: the scoping dev-stack applies (DevSettings.serviceConfig). Every service:
     * its database role, its Kafka user, the master and lookup keys.
     */
    static Set<String> expectedSecrets(ServiceSpec service) {
        Set<String> secrets = new HashSet<>(Set.of("palisade-db-" + service.appRole().replace('_', '-') + "/password",
                service.name() + "/sasl.jaas.config", "palisade-keys/master-key", "palisade-keys/lookup-key"));
        switch (service.name()) {
            case "tenant-service" -> secrets.addAll(Set.of("palisade-smtp/username", "palisade-smtp/password"));
            case "booking-service" -> secrets.addAll(Set.of("palisade-keys/payment-token-key", "palisade-keys/booking-token-key",
                    "palisade-smtp/username", "palisade-smtp/password"));
            case "payment-service" -> secrets.addAll(Set.of("palisade-keys/payment-token-key", "palisade-stripe/secret-key",
                    "palisade-stripe/publishable-key", "palisade-stripe/webhook-secrets", "palisade-smtp/username", "palisade-smtp/password"));
            case "audit-service" -> secrets.addAll(Set.of("palisade-keys/audit-checkpoint-key", "palisade-smtp/username", "palisade-smtp/password"));
            default -> {
            }
        }
        return secrets;
    }

    @Test
    void eachDeploymentReadsExactlyTheSecretsItsServiceUses() {
        Chart.Rendered rendered = CHART.render(HOOKS);
        for (ServiceSpec service : ServiceSpec.ALL) {
            Workload deployment = Workload.of(rendered.one("Deployment", "palisade-" + service.name()));
            assertEquals(expectedSecrets(service), deployment.secretKeys(), service.name());
        }
        assertEquals(expectedSecrets(ServiceSpec.named("audit-service")),
                Workload.of(rendered.one("Deployment", "palisade-audit-archiver")).secretKeys());
    }

    @Test
    void schemaOwnerPasswordsReachOnlyTheirMigrationJob() {
        Chart.Rendered rendered = CHART.render(HOOKS);
        for (Workload workload : Workload.all(rendered)) {
            Set<String> owners = workload.secretKeys().stream().filter(s -> s.contains("-owner/")).collect(Collectors.toSet());
            String component = workload.object().get("metadata.labels").map().get("app.kubernetes.io/component").toString();
            if (!component.equals("migration")) {
                assertEquals(Set.of(), owners, workload.toString());
                continue;
            }
            ServiceSpec service = ServiceSpec.named(workload.object().get("metadata.labels").map().get("app.kubernetes.io/name").toString());
            assertEquals(Set.of("palisade-db-" + service.ownerRole().replace('_', '-') + "/password"), owners, workload.toString());
            Set<String> admin = workload.secretKeys().stream().filter(s -> s.startsWith("palisade-platform-admin/")).collect(Collectors.toSet());
            assertEquals(service.name().equals("tenant-service") ? Set.of("palisade-platform-admin/email", "palisade-platform-admin/password") : Set.of(),
                    admin, workload + ": only tenant-service's migration creates the first platform admin");
            assertFalse(workload.secretKeys().stream().anyMatch(s -> s.startsWith("palisade-keys/") || s.startsWith("palisade-stripe/")),
                    workload + ": a migration needs no platform key");
            Map<String, String> env = env(workload.podSpec().list("containers").get(0));
            assertEquals("prod,migrate", env.get("QUARKUS_PROFILE"));
            assertEquals("palisade-db-rw", env.get("PALISADE_DB_HOST"), "migrations go to the primary");
        }
        Chart.Rendered pooled = CHART.render(with(Map.of("database.poolerHost", "palisade-db-pooler-rw")));
        for (Workload workload : Workload.all(pooled)) {
            String host = env(workload.podSpec().list("containers").get(0)).get("PALISADE_DB_HOST");
            if (workload.object().kind().equals("Deployment")) {
                assertEquals("palisade-db-pooler-rw", host, workload + " serves through the pooler");
            } else if (host != null) {
                assertEquals("palisade-db-rw", host, workload + ": never through the pooler");
            }
        }
    }

    @Test
    void migrationsAreHooksBeforeEveryInstallAndUpgradeTenantServiceFirst() {
        assertTrue(CHART.render(Map.of()).kind("Job").isEmpty(), "as hooks, Helm leaves the Jobs out of the release's manifests");
        List<Node> migrations = CHART.render(HOOKS).kind("Job").stream().filter(j -> j.name().startsWith("palisade-migrate-")).toList();
        assertEquals(5, migrations.size());
        Map<String, Integer> weights = new HashMap<>();
        for (Node job : migrations) {
            assertEquals("pre-install,pre-upgrade", job.annotations().get("palisade.io/rendered-hook"));
            weights.put(job.name().substring("palisade-migrate-".length()), Integer.parseInt(job.annotations().get("palisade.io/rendered-hook-weight").toString()));
        }
        int tenant = weights.remove("tenant-service");
        weights.forEach((service, weight) -> assertTrue(tenant < weight, "tenant-service migrates before " + service));
    }

    @Test
    void theGateRunsAfterEveryInstallAndUpgradeAndAsTheChartsTest() {
        List<Node> gates = CHART.render(HOOKS).kind("Job").stream().filter(j -> j.name().startsWith("palisade-gate")).toList();
        assertEquals(Set.of("post-install,post-upgrade", "test"), gates.stream().map(g -> g.annotations().get("palisade.io/rendered-hook").toString()).collect(Collectors.toSet()));
        for (Node gate : gates) {
            Map<String, String> env = env(gate.list("spec.template.spec.containers").get(0));
            for (ServiceSpec service : ServiceSpec.ALL) {
                assertEquals("http://palisade-" + service.name() + ":8080", env.get(service.envPrefix() + "_URL"));
            }
            assertEquals("0", gate.text("spec.backoffLimit"), "a failed gate is not retried into passing");
        }
        // The gate owners' password: the gate, and tenant-service's migration run that keeps the two owners; no other pod.
        Set<String> holders = new java.util.TreeSet<>();
        for (Workload workload : Workload.all(CHART.render(HOOKS))) {
            if (workload.secretKeys().contains("palisade-isolation-gate/password")) {
                holders.add(workload.object().name());
            }
        }
        assertEquals(Set.of("palisade-gate", "palisade-gate-test", "palisade-migrate-tenant-service"), holders);
    }

    @Test
    void aMasterKeyRotationGivesEveryServiceTheOldKeyAndRunsAfterTheUpgrade() {
        assertTrue(CHART.render(HOOKS).kind("Job").stream().noneMatch(j -> j.name().equals("palisade-rotate-master-key")), "only when asked for");
        Chart.Rendered rotating = CHART.render(with(Map.of("crypto.masterKeyName", "master-key-v2", "crypto.keyVersion", 2,
                "crypto.previousKeys.1", "master-key", "crypto.rotateMasterKey", true)));
        for (Node deployment : rotating.kind("Deployment")) {
            Node container = deployment.list("spec.template.spec.containers").get(0);
            assertEquals("2", env(container).get("PALISADE_CRYPTO_KEY_VERSION"), deployment.toString());
            Node previous = container.list("env").stream().filter(e -> e.text("name").equals("palisade.crypto.previous-keys.1")).findFirst().orElseThrow();
            assertEquals("master-key", previous.text("valueFrom.secretKeyRef.key"));
            Node current = container.list("env").stream().filter(e -> e.text("name").equals("PALISADE_CRYPTO_MASTER_KEY")).findFirst().orElseThrow();
            assertEquals("master-key-v2", current.text("valueFrom.secretKeyRef.key"), "a new key under a new name: nothing is overwritten");
        }
        Node job = rotating.one("Job", "palisade-rotate-master-key");
        assertEquals("post-upgrade", job.annotations().get("palisade.io/rendered-hook"));
        Node container = job.list("spec.template.spec.containers").get(0);
        assertEquals(List.of("rotate-master-key"), container.get("args").value());
        assertTrue(container.text("image").contains("/tenant-service:"));
        // It reads and reseals every tenant's values as tenant-service's schema owner, without migrating.
        assertTrue(Workload.of(job).secretKeys().contains("palisade-db-tenancy-owner/password"), Workload.of(job).secretKeys().toString());
        assertEquals("true", env(container).get("QUARKUS_DATASOURCE_MIGRATIONS_ACTIVE"));
        assertEquals("false", env(container).get("QUARKUS_FLYWAY_MIGRATIONS_MIGRATE_AT_START"));
        assertFalse(Workload.of(job).secretKeys().stream().anyMatch(k -> k.startsWith("palisade-platform-admin/")));
    }

    @Test
    void networkPoliciesDenyByDefault() {
        Chart.Rendered rendered = CHART.render(HOOKS);
        Node deny = rendered.one("NetworkPolicy", "palisade-default-deny");
        assertEquals(List.of("Ingress", "Egress"), deny.get("spec.policyTypes").value());
        assertFalse(deny.get("spec.ingress").present());
        assertFalse(deny.get("spec.egress").present());
        for (Workload workload : Workload.all(rendered)) {
            assertTrue(workload.selectedBy(deny.get("spec.podSelector")), workload + " is under the default deny");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyProfile")
    void noPodReachesPrivateOrMetadataAddressesThroughAnInternetRule(String profile, Map<String, Object> values) {
        List<String> required = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
                "192.88.99.0/24", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "::ffff:0:0/96", "2002::/16", "2001::/32", "64:ff9b::/96");
        Chart.Rendered rendered = CHART.render(values);
        boolean webhookRule = false;
        for (Node policy : rendered.kind("NetworkPolicy")) {
            for (Node rule : policy.list("spec.egress")) {
                for (Node peer : rule.list("to")) {
                    String cidr = peer.text("ipBlock.cidr");
                    if ("0.0.0.0/0".equals(cidr) || "::/0".equals(cidr)) {
                        List<String> except = peer.list("ipBlock.except").stream().map(Node::text).toList();
                        required.stream().filter(r -> r.contains(":") == cidr.contains(":"))
                                .forEach(r -> assertTrue(except.contains(r), policy + " lets " + cidr + " reach " + r));
                        webhookRule |= policy.name().equals("palisade-webhook-service");
                    }
                }
            }
        }
        assertTrue(webhookRule, "webhook-service delivers to public addresses");
    }

    @Test
    void webhookDeliveriesReachTheAllowedPortsOnlyAndOnlyWebhookPaymentAndTenantServiceReachTheInternet() {
        Chart.Rendered rendered = CHART.render(ingress());
        Map<String, Set<String>> internetPorts = new HashMap<>();
        for (Node policy : rendered.kind("NetworkPolicy")) {
            for (Node rule : policy.list("spec.egress")) {
                if (rule.list("to").stream().anyMatch(peer -> "0.0.0.0/0".equals(peer.text("ipBlock.cidr")))) {
                    rule.list("ports").forEach(port -> internetPorts.computeIfAbsent(policy.name(), k -> new HashSet<>()).add(port.text("port")));
                }
            }
        }
        assertEquals(Set.of("443", "8443"), internetPorts.get("palisade-webhook-service"));
        assertEquals(Set.of("443", "587"), internetPorts.get("palisade-payment-service"), "Stripe and mail");
        assertEquals(Set.of("443", "587"), internetPorts.get("palisade-tenant-service"), "identity providers, breached passwords, mail");
        assertEquals(Set.of("587"), internetPorts.get("palisade-booking-service"), "mail only");
        assertEquals(Set.of("587"), internetPorts.get("palisade-audit-service"), "mail only");
        assertEquals(5, internetPorts.size());
        Map<String, String> env = env(rendered.one("Deployment", "palisade-webhook-service").list("spec.template.spec.containers").get(0));
        assertEquals("8443", env.get("PALISADE_WEBHOOKS_EGRESS_ALLOWED_PORTS"), "the SSRF guard allows what the network allows");
    }

    @Test
    void withIngressOnEveryServiceTrustsOnlyTheNamedProxies() {
        Chart.Rendered rendered = CHART.render(ingress());
        for (Node deployment : rendered.kind("Deployment")) {
            Map<String, String> env = env(deployment.list("spec.template.spec.containers").get(0));
            assertEquals("10.0.0.0/8", env.get("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES"), deployment.toString());
            assertEquals("true", env.get("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING"), deployment.toString());
        }
        Node ingress = rendered.kind("Ingress").get(0);
        assertEquals(5, ingress.list("spec.rules").size());
        assertEquals(5, ingress.list("spec.tls").get(0).list("hosts").size(), "every host under TLS");
        for (Node deployment : CHART.render(HOOKS).kind("Deployment")) {
            assertFalse(env(deployment.list("spec.template.spec.containers").get(0)).containsKey("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING"),
                    "without an ingress no forwarded address is believed");
        }
        Exception refused = assertThrows(Exception.class, () -> CHART.render(Map.of("ingress.enabled", true)));
        assertTrue(refused.getMessage().contains("trustedProxies"), refused.getMessage());
    }

    @Test
    void servicesFetchSigningKeysInsideTheClusterWhileTokensKeepThePublicIssuer() {
        for (Node deployment : CHART.render(HOOKS).kind("Deployment")) {
            Map<String, String> env = env(deployment.list("spec.template.spec.containers").get(0));
            assertEquals("https://auth.palisade.example", env.get("PALISADE_ISSUER"));
            assertEquals("http://palisade-tenant-service:8080/.well-known/jwks.json", env.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        }
    }

    /**
     * A link a service mails (or hands to Stripe) defaults to localhost in its application.properties, for the local
     * platform: the chart must set every one of them from its values, or guests get links to localhost.
     */
    @Test
    void everyLinkAServiceSendsOutIsTheOperatorsPublicUrl() throws IOException {
        Pattern localLink = Pattern.compile("^([a-z0-9.-]+)=\\$\\{[A-Z0-9_]+:http://localhost[^}]*}$");
        Map<String, Map<String, String>> envByService = new HashMap<>();
        for (Node deployment : CHART.render(HOOKS).kind("Deployment")) {
            envByService.put(deployment.get("metadata.labels").map().get("app.kubernetes.io/name").toString(),
                    env(deployment.list("spec.template.spec.containers").get(0)));
        }
        int links = 0;
        for (ServiceSpec service : ServiceSpec.ALL) {
            for (String line : Files.readAllLines(Path.of("..", service.name(), "src/main/resources/application.properties"))) {
                Matcher link = localLink.matcher(line.trim());
                if (link.matches()) {
                    links++;
                    String variable = link.group(1).toUpperCase(Locale.ROOT).replaceAll("[.-]", "_");
                    String value = envByService.get(service.name()).get(variable);
                    assertNotNull(value, service.name() + " mails " + link.group(1) + " but the chart does not set " + variable);
                    assertTrue(value.startsWith("https://"), variable + " = " + value);
                }
            }
        }
        assertTrue(links >= 5, "the links found: " + links);
    }

    @Test
    void valuesThatCannotWorkAreRefusedAtRenderTime() {
        assertRefused(Map.of("secrets.keys", ""), "keys");
        assertRefused(Map.of("database.roleSecrets.booking_service", ""), "booking_service");
        assertRefused(Map.of("services.booking-service.replicas", 0), "replicas");
        assertRefused(Map.of("image.registry", ""), "registry");
        assertRefused(Map.of("image.tag", "latest"), "tag");
        assertRefused(Map.of("defaults.resources.limits.memory", ""), "memory");
        assertRefused(Map.of("issuer", "http://auth.palisade.example"), "issuer");
        assertRefused(Map.of("services.search-service.replicas", 2), "search-service");
        Exception oldKube = assertThrows(Exception.class, () -> CHART.render("1.29.0", Map.of()));
        assertTrue(oldKube.getMessage().contains("kubeVersion"), oldKube.getMessage());
    }

    private static void assertRefused(Map<String, Object> values, String field) {
        Exception refused = assertThrows(Exception.class, () -> CHART.render(values), values.toString());
        assertTrue(refused.getMessage().contains(field), refused.getMessage());
    }

    static Map<String, String> env(Node container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.list("env").forEach(e -> env.put(e.text("name"), e.get("value").present() ? e.text("value") : null));
        return env;
    }

    /** A rendered object that runs pods: a Deployment or a Job. */
    record Workload(Node object) {

        static Workload of(Node object) {
            return new Workload(object);
        }

        static List<Workload> all(Chart.Rendered rendered) {
            List<Workload> workloads = new ArrayList<>();
            rendered.kind("Deployment").forEach(d -> workloads.add(new Workload(d)));
            rendered.kind("Job").forEach(j -> workloads.add(new Workload(j)));
            return workloads;
        }

        Node podSpec() {
            return object.get("spec.template.spec");
        }

        Map<String, Object> podLabels() {
            return object.get("spec.template.metadata.labels").map();
        }

        /** Whether a label selector (matchLabels, matchExpressions) selects the pod template. */
        boolean selectedBy(Node selector) {
            return NetworkPolicies.selects(selector, podLabels());
        }

        /** Every secret key the pod's containers read, as "secret/key". */
        Set<String> secretKeys() {
            Set<String> keys = new HashSet<>();
            for (Node container : podSpec().list("containers")) {
                assertTrue(container.list("envFrom").isEmpty(), this + ": envFrom would hand over whole Secrets");
                for (Node env : container.list("env")) {
                    Node ref = env.get("valueFrom.secretKeyRef");
                    if (ref.present()) {
                        keys.add(ref.text("name") + "/" + ref.text("key"));
                    }
                }
            }
            return keys;
        }

        @Override
        public String toString() {
            return object.toString();
        }
    }
}
