package io.palisade.deployment.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;


import io.palisade.devstack.KafkaAcls;
import io.palisade.devstack.ServiceSpec;

/**
 * k8s/palisade-platform: lints strictly, renders every value profile on every supported Kubernetes version with every
 * object valid, and renders what docs/database.md and files/kafka-acls.yaml promise: the ten login roles without any
 * power past RLS, the bootstrap SQL dev-stack runs, backups and WAL archiving, and one Kafka user per service with
 * exactly the ACLs dev-stack's broker grants.
 */
class PlatformChartTest {

    private static final Chart CHART = Chart.PLATFORM;

    /** The value profiles operators use: defaults, the pooler on, an external data plane, a point-in-time restore. */
    static Stream<Arguments> profiles() {
        Map<String, Map<String, Object>> profiles = Map.of(
                "defaults", Map.of(),
                "pooler", Map.of("postgresql.pooler.enabled", true),
                "external", Map.of("postgresql.mode", "external", "kafka.mode", "external"),
                "no-backups", Map.of("postgresql.backups.enabled", false, "postgresql.podMonitor.enabled", false),
                "own-kafka-passwords", Map.of("kafka.userPasswords.booking-service.secretName", "booking-kafka-password",
                        "kafka.version", "4.1.1"));
        return profiles.entrySet().stream().flatMap(profile -> Chart.KUBE_VERSIONS.stream()
                .map(kube -> Arguments.of(profile.getKey(), kube, profile.getValue())));
    }

    @Test
    void lintsStrictly() {
        CHART.assertLintsStrictly();
    }

    @ParameterizedTest(name = "{0} on Kubernetes {1}")
    @MethodSource("profiles")
    void everyProfileRendersValidObjects(String profile, String kubeVersion, Map<String, Object> values) {
        Chart.Rendered rendered = CHART.render(kubeVersion, values);
        assertEquals(List.of(), Schemas.problems(rendered.all()));
    }

    @Test
    void thePointInTimeRecoveryProfileBootstrapsANewClusterFromTheObjectStore() {
        assertThrows(Exception.class, () -> CHART.render(Chart.KUBE_VERSIONS.get(4), List.of(CHART.file("values-pitr.yaml")), Map.of()),
                "a restore names its target time");
        Chart.Rendered rendered = CHART.render(Chart.KUBE_VERSIONS.get(4), List.of(CHART.file("values-pitr.yaml")),
                Map.of("postgresql.recovery.targetTime", "2026-12-01T10:15:00Z"));
        assertEquals(List.of(), Schemas.problems(rendered.all()));
        Node cluster = rendered.one("Cluster", "palisade-db-restored");
        assertFalse(cluster.get("spec.bootstrap.initdb").present(), "a restore never initialises an empty database");
        assertEquals("origin", cluster.text("spec.bootstrap.recovery.source"));
        assertEquals("2026-12-01T10:15:00Z", cluster.text("spec.bootstrap.recovery.recoveryTarget.targetTime"));
        Node origin = cluster.list("spec.externalClusters").get(0);
        assertEquals("origin", origin.text("name"));
        assertEquals("barman-cloud.cloudnative-pg.io", origin.text("plugin.name"));
        assertEquals("palisade-db-backups", origin.text("plugin.parameters.barmanObjectName"));
        assertEquals("palisade-db", origin.text("plugin.parameters.serverName"));
        assertEquals("palisade-db-restored-backups",
                cluster.list("spec.plugins").get(0).text("parameters.barmanObjectName"), "the restored cluster archives apart");
        assertTrue(rendered.kind("Kafka").isEmpty());
    }

    @Test
    void postgresIs17WithThreeInstancesAndNoSuperuserAccess() {
        Node cluster = CHART.render(Map.of()).one("Cluster", "palisade-db");
        assertEquals("3", cluster.text("spec.instances"));
        assertTrue(cluster.text("spec.imageName").matches(".*:17(\\.\\d+)?"), cluster.text("spec.imageName"));
        assertEquals("false", cluster.text("spec.enableSuperuserAccess"));
        assertEquals("keep", cluster.annotations().get("helm.sh/resource-policy"), "uninstalling never deletes the data");
        assertEquals("palisade", cluster.text("spec.bootstrap.initdb.database"));
    }

    @Test
    void theBootstrapRunsTheSameSqlAsDevStack() {
        Chart.Rendered rendered = CHART.render(Map.of());
        Node ref = rendered.one("Cluster", "palisade-db").list("spec.bootstrap.initdb.postInitApplicationSQLRefs.configMapRefs").get(0);
        Node configMap = rendered.one("ConfigMap", ref.text("name"));
        String sql = configMap.get("data").map().get(ref.text("key")).toString();
        assertEquals(CHART.readFile("files/bootstrap.sql").strip(), sql.strip());
    }

    @Test
    void theTenLoginRolesAreManagedWithoutAnyPowerPastRowLevelSecurity() {
        Node cluster = CHART.render(Map.of()).one("Cluster", "palisade-db");
        List<Node> roles = cluster.list("spec.managed.roles").stream().filter(r -> !r.text("name").equals("palisade")).toList();
        Node databaseOwner = cluster.list("spec.managed.roles").stream().filter(r -> r.text("name").equals("palisade")).findFirst().orElseThrow();
        assertEquals("false", databaseOwner.text("login"), "the database's owner never logs in");
        assertEquals("palisade", cluster.text("spec.bootstrap.initdb.owner"));
        Set<String> expected = ServiceSpec.ALL.stream().flatMap(s -> Stream.of(s.ownerRole(), s.appRole())).collect(Collectors.toSet());
        assertEquals(expected, roles.stream().map(r -> r.text("name")).collect(Collectors.toSet()));
        for (Node role : roles) {
            for (String power : List.of("superuser", "createrole", "createdb", "replication", "bypassrls")) {
                assertEquals("false", role.text(power), role.text("name") + " " + power);
            }
            assertEquals("true", role.text("login"));
            assertEquals("present", role.text("ensure"));
            assertTrue(role.text("passwordSecret.name").startsWith("palisade-db-"), role.text("name"));
        }
        for (ServiceSpec service : ServiceSpec.ALL) {
            Node app = roles.stream().filter(r -> r.text("name").equals(service.appRole())).findFirst().orElseThrow();
            assertEquals(List.of("palisade_services"), app.get("inRoles").value(), "the group tenancy grants its helpers to");
            Node owner = roles.stream().filter(r -> r.text("name").equals(service.ownerRole())).findFirst().orElseThrow();
            assertFalse(owner.get("inRoles").present());
        }
    }

    @Test
    void backupsArchiveWalThroughTheBarmanCloudPlugin() {
        Chart.Rendered rendered = CHART.render(Map.of());
        Node cluster = rendered.one("Cluster", "palisade-db");
        Node plugin = cluster.list("spec.plugins").get(0);
        assertEquals("barman-cloud.cloudnative-pg.io", plugin.text("name"));
        assertEquals("true", plugin.text("isWALArchiver"));
        Node store = rendered.one("ObjectStore", plugin.text("parameters.barmanObjectName"));
        assertEquals("s3://palisade-backups/postgresql", store.text("spec.configuration.destinationPath"));
        assertEquals("palisade-backup-credentials", store.text("spec.configuration.s3Credentials.accessKeyId.name"));
        assertEquals("30d", store.text("spec.retentionPolicy"));
        Node schedule = rendered.one("ScheduledBackup", "palisade-db-daily");
        assertEquals("palisade-db", schedule.text("spec.cluster.name"));
        assertEquals("plugin", schedule.text("spec.method"));
        assertEquals("barman-cloud.cloudnative-pg.io", schedule.text("spec.pluginConfiguration.name"));
        assertEquals(6, schedule.text("spec.schedule").split(" ").length, "CloudNativePG schedules have seconds");
        Node monitor = rendered.one("PodMonitor", "palisade-db");
        assertEquals("palisade-db", monitor.get("spec.selector.matchLabels").map().get("cnpg.io/cluster"));
        assertEquals("metrics", monitor.list("spec.podMetricsEndpoints").get(0).text("port"));
    }

    @Test
    void thePoolerRunsPgBouncerInTransactionModeBeforeThePrimary() {
        Node pooler = CHART.render(Map.of("postgresql.pooler.enabled", true)).one("Pooler", "palisade-db-pooler-rw");
        assertEquals("palisade-db", pooler.text("spec.cluster.name"));
        assertEquals("rw", pooler.text("spec.type"));
        assertEquals("transaction", pooler.text("spec.pgbouncer.poolMode"));
        assertTrue(CHART.render(Map.of()).kind("Pooler").isEmpty(), "off unless asked for");
    }

    @Test
    void kafkaIsKraftWithTlsScramAclsAndReplicationThree() {
        Chart.Rendered rendered = CHART.render(Map.of());
        Node kafka = rendered.one("Kafka", "palisade-kafka");
        List<Node> listeners = kafka.list("spec.kafka.listeners");
        assertEquals(1, listeners.size(), "no plaintext listener beside the TLS one");
        assertEquals("true", listeners.get(0).text("tls"));
        assertEquals("scram-sha-512", listeners.get(0).text("authentication.type"));
        assertEquals("simple", kafka.text("spec.kafka.authorization.type"));
        Map<String, Object> config = kafka.get("spec.kafka.config").map();
        assertEquals("false", String.valueOf(config.get("auto.create.topics.enable")));
        assertEquals("3", String.valueOf(config.get("default.replication.factor")));
        assertEquals("2", String.valueOf(config.get("min.insync.replicas")));
        assertFalse(kafka.get("spec.zookeeper").present());
        Set<String> roles = new HashSet<>();
        for (Node pool : rendered.kind("KafkaNodePool")) {
            assertEquals("palisade-kafka", pool.get("metadata.labels").map().get("strimzi.io/cluster"));
            assertEquals("3", pool.text("spec.replicas"));
            pool.list("spec.roles").forEach(role -> roles.add(role.text()));
        }
        assertEquals(Set.of("controller", "broker"), roles);
    }

    @Test
    void oneTopicPerPalisadeTopicWithReplicationThreeAndMinIsrTwo() {
        Chart.Rendered rendered = CHART.render(Map.of("kafka.topics.overrides.palisade\\.booking\\.events.partitions", 24));
        KafkaAcls acls = KafkaAcls.load();
        assertEquals(Set.copyOf(acls.topics()), rendered.kind("KafkaTopic").stream().map(t -> t.text("spec.topicName")).collect(Collectors.toSet()));
        for (Node topic : rendered.kind("KafkaTopic")) {
            assertEquals("3", topic.text("spec.replicas"));
            assertEquals("2", String.valueOf(topic.get("spec.config").map().get("min.insync.replicas")));
            String expectedPartitions = topic.text("spec.topicName").equals("palisade.booking.events") ? "24" : "12";
            assertEquals(expectedPartitions, topic.text("spec.partitions"), topic.toString());
        }
        Node audit = rendered.kind("KafkaTopic").stream().filter(t -> t.text("spec.topicName").equals("palisade.audit")).findFirst().orElseThrow();
        assertEquals("2592000000", String.valueOf(audit.get("spec.config").map().get("retention.ms")));
    }

    @Test
    void eachServiceIsOneKafkaUserWithExactlyTheAclsDevStacksBrokerGrants() {
        Chart.Rendered rendered = CHART.render(Map.of());
        KafkaAcls acls = KafkaAcls.load();
        assertEquals(acls.users().keySet(), rendered.kind("KafkaUser").stream().map(Node::name).collect(Collectors.toSet()));
        for (Node user : rendered.kind("KafkaUser")) {
            assertEquals("scram-sha-512", user.text("spec.authentication.type"));
            assertEquals("simple", user.text("spec.authorization.type"));
            Set<String> rendredAcls = new HashSet<>();
            for (Node acl : user.list("spec.authorization.acls")) {
                assertEquals("literal", acl.text("resource.patternType"));
                for (Node operation : acl.list("operations")) {
                    rendredAcls.add(acl.text("resource.type").toUpperCase() + " " + acl.text("resource.name") + " " + operation.text().toUpperCase());
                }
            }
            Set<String> granted = new HashSet<>();
            for (AclBinding binding : acls.bindings(user.name())) {
                granted.add(binding.pattern().resourceType() + " " + binding.pattern().name() + " " + binding.entry().operation());
            }
            assertEquals(granted, rendredAcls, user.name());
        }
    }

    @Test
    void aKafkaUsersPasswordCanComeFromAnExistingSecret() {
        Chart.Rendered rendered = CHART.render(Map.of("kafka.userPasswords.booking-service.secretName", "booking-kafka-password"));
        Node booking = rendered.one("KafkaUser", "booking-service");
        assertEquals("booking-kafka-password", booking.text("spec.authentication.password.valueFrom.secretKeyRef.name"));
        assertEquals("password", booking.text("spec.authentication.password.valueFrom.secretKeyRef.key"));
        assertFalse(rendered.one("KafkaUser", "payment-service").get("spec.authentication.password").present(), "generated by Strimzi");
    }

    @Test
    void uninstallingKeepsEveryObjectThatHoldsData() {
        Chart.Rendered rendered = CHART.render(Map.of());
        for (String kind : List.of("Cluster", "ObjectStore", "ScheduledBackup", "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")) {
            assertFalse(rendered.kind(kind).isEmpty(), kind);
            rendered.kind(kind).forEach(o -> assertEquals("keep", o.annotations().get("helm.sh/resource-policy"), o.toString()));
        }
    }

    @Test
    void anExternalDataPlaneRendersNothingButNotes() {
        Chart.Rendered rendered = CHART.render(Map.of("postgresql.mode", "external", "kafka.mode", "external"));
        assertEquals(List.of(), rendered.objects());
    }

    @Test
    void valuesThatCannotWorkAreRefusedAtRenderTime() {
        assertRefused(Map.of("postgresql.roleSecrets.booking_service", ""), "roleSecrets");
        assertRefused(Map.of("postgresql.instances", 0), "instances");
        assertRefused(Map.of("postgresql.imageName", "ghcr.io/cloudnative-pg/postgresql:latest"), "imageName");
        assertRefused(Map.of("postgresql.imageName", "ghcr.io/cloudnative-pg/postgresql:16.4"), "imageName");
        assertRefused(Map.of("kafka.minInsyncReplicas", 1), "minInsyncReplicas");
        assertRefused(Map.of("kafka.mode", "zookeeper"), "mode");
        assertRefused(Map.of("postgresql.recovery.targetTime", "yesterday"), "targetTime");
        Exception oldKube = assertThrows(Exception.class, () -> CHART.render("1.29.0", Map.of()));
        assertTrue(oldKube.getMessage().contains("kubeVersion"), oldKube.getMessage());
        assertThrows(Exception.class, () -> CHART.render("1.35.0", Map.of()));
    }

    private static void assertRefused(Map<String, Object> values, String field) {
        Exception refused = assertThrows(Exception.class, () -> CHART.render(values), values.toString());
        assertTrue(refused.getMessage().contains(field), refused.getMessage());
    }
}
