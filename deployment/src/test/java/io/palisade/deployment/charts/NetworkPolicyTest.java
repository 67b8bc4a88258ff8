package io.palisade.deployment.charts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.deployment.charts.NetworkPolicies.Endpoint;
import io.palisade.devstack.ServiceSpec;

/**
 * The rendered network policies, evaluated: every pod reaches exactly what it needs (DNS, the database, Kafka, the
 * signing keys) and the rest is refused; webhook deliveries reach public addresses only; migration Jobs reach the
 * primary and nothing else.
 */
class NetworkPolicyTest {

    private static final Map<String, Object> KUBE_SYSTEM = Map.of("kubernetes.io/metadata.name", "kube-system");
    private static final Map<String, Object> DNS = Map.of("k8s-app", "kube-dns");
    private static final Map<String, Object> PRIMARY = Map.of("cnpg.io/cluster", "palisade-db", "cnpg.io/instanceRole", "primary");
    private static final Map<String, Object> REPLICA = Map.of("cnpg.io/cluster", "palisade-db", "cnpg.io/instanceRole", "replica");
    private static final Map<String, Object> BROKER = Map.of("strimzi.io/cluster", "palisade-kafka", "strimzi.io/kind", "Kafka");
    private static final Map<String, Object> TENANT_API = Map.of("app.kubernetes.io/instance", "palisade", "app.kubernetes.io/name", "tenant-service",
            "app.kubernetes.io/component", "api");

    private static final Chart.Rendered RENDERED = Chart.APP.render(AppChartTest.ingress());
    private static final NetworkPolicies POLICIES = new NetworkPolicies(RENDERED.kind("NetworkPolicy"), "palisade");

    private static Map<String, Object> podLabels(String kind, String name) {
        return RENDERED.one(kind, name).get("spec.template.metadata.labels").map();
    }

    @Test
    void everyServingPodReachesDnsTheDatabaseKafkaAndTheSigningKeys() {
        for (Node deployment : RENDERED.kind("Deployment")) {
            Endpoint pod = Endpoint.pod(podLabels("Deployment", deployment.name()));
            assertTrue(POLICIES.allows(pod, Endpoint.pod(DNS, KUBE_SYSTEM), "UDP", 53), deployment + " → DNS");
            assertTrue(POLICIES.allows(pod, Endpoint.pod(PRIMARY), "TCP", 5432), deployment + " → PostgreSQL");
            assertTrue(POLICIES.allows(pod, Endpoint.pod(BROKER), "TCP", 9093), deployment + " → Kafka");
            assertTrue(POLICIES.allows(pod, Endpoint.pod(TENANT_API), "TCP", 8080), deployment + " → tenant-service's JWKS");
            assertFalse(POLICIES.allows(pod, Endpoint.pod(PRIMARY), "TCP", 22), deployment + " → PostgreSQL's host on another port");
        }
    }

    @Test
    void servicesTakeTrafficFromTheIngressMonitoringAndTheGateOnly() {
        Endpoint controller = Endpoint.pod(Map.of("app.kubernetes.io/name", "ingress-nginx"), Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        Endpoint prometheus = Endpoint.pod(Map.of("app", "prometheus"), Map.of("kubernetes.io/metadata.name", "monitoring"));
        Endpoint stranger = Endpoint.pod(Map.of("app", "something"), Map.of("kubernetes.io/metadata.name", "other"));
        Endpoint gate = Endpoint.pod(podLabels("Job", "palisade-gate"));
        for (ServiceSpec service : ServiceSpec.ALL) {
            Endpoint api = Endpoint.pod(podLabels("Deployment", "palisade-" + service.name()));
            assertTrue(POLICIES.allows(controller, api, "TCP", 8080), "ingress → " + service.name());
            assertTrue(POLICIES.allows(prometheus, api, "TCP", 9000), "monitoring → " + service.name() + "'s metrics");
            assertFalse(POLICIES.allows(controller, api, "TCP", 9000), "the ingress never reaches " + service.name() + "'s metrics");
            assertFalse(POLICIES.allows(gate, api, "TCP", 9000), "the gate never reaches " + service.name() + "'s metrics");
            assertTrue(POLICIES.allows(gate, api, "TCP", 8080), "gate → " + service.name());
            assertFalse(POLICIES.allows(stranger, api, "TCP", 8080), "another namespace → " + service.name());
            assertFalse(POLICIES.allows(stranger, api, "TCP", 9000), "another namespace → " + service.name() + "'s metrics");
            assertFalse(POLICIES.allows(gate, Endpoint.pod(PRIMARY), "TCP", 5432), "the gate never reaches the database");
        }
        Endpoint booking = Endpoint.pod(podLabels("Deployment", "palisade-booking-service"));
        Endpoint payment = Endpoint.pod(podLabels("Deployment", "palisade-payment-service"));
        assertFalse(POLICIES.allows(booking, payment, "TCP", 8080), "services talk through Kafka, not to each other");
    }

    @Test
    void migrationJobsReachThePrimaryAndNothingElse() {
        for (Node job : RENDERED.kind("Job").stream().filter(j -> j.name().startsWith("palisade-migrate-")).toList()) {
            Endpoint pod = Endpoint.pod(podLabels("Job", job.name()));
            assertTrue(POLICIES.allows(pod, Endpoint.pod(DNS, KUBE_SYSTEM), "UDP", 53), job + " → DNS");
            assertTrue(POLICIES.allows(pod, Endpoint.pod(PRIMARY), "TCP", 5432), job + " → the primary");
            assertFalse(POLICIES.allows(pod, Endpoint.pod(REPLICA), "TCP", 5432), job + " → a replica");
            assertFalse(POLICIES.allows(pod, Endpoint.pod(BROKER), "TCP", 9093), job + " → Kafka");
            assertFalse(POLICIES.allows(pod, Endpoint.address("93.184.216.34"), "TCP", 443), job + " → the internet");
        }
        Node policy = RENDERED.one("NetworkPolicy", "palisade-migrations");
        assertTrue(policy.annotations().containsKey("palisade.io/rendered-hook"), "applied before the migration Jobs, as a hook");
        int policyWeight = Integer.parseInt(policy.annotations().get("palisade.io/rendered-hook-weight").toString());
        RENDERED.kind("Job").stream().filter(j -> j.name().startsWith("palisade-migrate-")).forEach(job -> assertTrue(
                policyWeight < Integer.parseInt(job.annotations().get("palisade.io/rendered-hook-weight").toString()), job.toString()));
    }

    @Test
    void webhookDeliveriesReachPublicAddressesOnlyAndOtherServicesNoInternetAtAll() {
        Endpoint webhook = Endpoint.pod(podLabels("Deployment", "palisade-webhook-service"));
        assertTrue(POLICIES.allows(webhook, Endpoint.address("93.184.216.34"), "TCP", 443));
        assertTrue(POLICIES.allows(webhook, Endpoint.address("2606:2800:220:1:248:1893:25c8:1946"), "TCP", 443));
        assertTrue(POLICIES.allows(webhook, Endpoint.address("93.184.216.34"), "TCP", 8443), "an allowed port");
        assertFalse(POLICIES.allows(webhook, Endpoint.address("93.184.216.34"), "TCP", 25), "a port not allowed");
        // Every address the SSRF guard (AddressPolicy) refuses, and the IPv6 forms that can carry an IPv4 address.
        for (String refused : List.of("0.1.2.3", "10.0.0.5", "100.64.1.1", "127.0.0.1", "169.254.169.254", "172.16.5.4", "192.0.0.8",
                "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "255.255.255.255",
                "::", "::1", "::ffff:10.0.0.1", "::ffff:0:a00:1", "::a00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "100::1", "2001:db8::1",
                "2001:10::1", "2001::1", "2002:a00:1::1", "fd00:ec2::254", "fe80::1", "fec0::1", "ff02::1")) {
            assertFalse(POLICIES.allows(webhook, Endpoint.address(refused), "TCP", 443), "webhook-service → " + refused);
        }
        Map<String, Boolean> internet = new HashMap<>();
        for (ServiceSpec service : ServiceSpec.ALL) {
            internet.put(service.name(), POLICIES.allows(Endpoint.pod(podLabels("Deployment", "palisade-" + service.name())),
                    Endpoint.address("93.184.216.34"), "TCP", 443));
        }
        assertTrue(internet.get("payment-service"), "Stripe");
        assertTrue(internet.get("tenant-service"), "identity providers, breached passwords");
        assertFalse(internet.get("booking-service"));
        assertFalse(internet.get("audit-service"));
    }
}
