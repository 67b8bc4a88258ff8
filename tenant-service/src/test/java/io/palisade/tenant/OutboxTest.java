package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Changes commit while the broker is down; their events wait in the outbox and all reach Kafka once it is
 * back, as CloudEvents keyed by tenant, in order per tenant.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class OutboxTest {

    private static final String TOPIC = "palisade.tenancy.events";

    /** Internal consumers may use any CloudEvents SDK: the official Java SDK reads every event of both topics. */
    @Test
    void theCloudEventsSdkReadsEveryEvent() {
        TestTenant tenant = Api.newTenant("BOOKINGS_READ");
        bearer(tenant.ownerToken()).body(Map.of("name", "Read by the SDK")).patch("/tenant").then().statusCode(200);
        Map<String, Object> renamed = TestEvents.await(TOPIC, tenant.id().toString(), "tenant.renamed");
        assertEquals("/tenant-service", renamed.get("source"));
        assertEquals(tenant.id().toString(), renamed.get("tenantid"));
        assertEquals("Read by the SDK", ((Map<?, ?>) renamed.get("data")).get("name"));
        Map<String, Object> audited = TestEvents.await("palisade.audit", tenant.id().toString(), "tenant.renamed");
        assertEquals("/tenant-service", audited.get("source"));
    }

    @Test
    void eventsSurviveABrokerOutageAndArriveOnceInOrderPerTenant() throws Exception {
        TestTenant a = Api.newTenant("BOOKINGS_READ");
        TestTenant b = Api.newTenant("BOOKINGS_READ");
        String ownerA = a.ownerToken();
        String ownerB = b.ownerToken();
        PalisadeTestStack stack = PalisadeTestStack.get();
        stack.kafka().stop();
        List<String> names = new ArrayList<>();
        try {
            for (int i = 0; i < 15; i++) {
                String name = "Renamed " + i;
                names.add(name);
                bearer(ownerA).body(Map.of("name", name)).patch("/tenant").then().statusCode(200);
                bearer(ownerB).body(Map.of("name", name)).patch("/tenant").then().statusCode(200);
            }
            assertTrue(pending(a.id()) >= 15, "events wait in the outbox while the broker is down");
            // The outbox is for exactly this: the service stays in its load balancer and alive.
            io.restassured.RestAssured.given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/ready").then().statusCode(200);
            io.restassured.RestAssured.given().port(io.palisade.devstack.testing.Metrics.TEST_MANAGEMENT_PORT).get("/q/health/live").then().statusCode(200);
        } finally {
            stack.kafka().start();
        }

        Map<String, List<JsonObject>> renamesByTenant = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer(stack)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && (count(renamesByTenant, a) < 15 || count(renamesByTenant, b) < 15)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonObject event = new JsonObject(record.value());
                    assertEquals(event.getString("tenantid"), record.key(), "keyed by tenant");
                    if ("tenant.renamed".equals(event.getString("type"))) {
                        renamesByTenant.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(event);
                    }
                }
            }
        }
        for (TestTenant t : List.of(a, b)) {
            List<JsonObject> events = renamesByTenant.get(t.id().toString());
            assertEquals(names, events.stream().map(e -> e.getJsonObject("data").getString("name")).toList(),
                    "all renames of " + t.slug() + ", in order");
            JsonObject first = events.get(0);
            assertEquals("1.0", first.getString("specversion"));
            assertEquals("/tenant-service", first.getString("source"));
            assertEquals(t.id().toString(), first.getString("subject"));
        }
        assertEquals(0, pending(a.id()) + pending(b.id()));
    }

    private static int count(Map<String, List<JsonObject>> byTenant, TestTenant t) {
        return byTenant.getOrDefault(t.id().toString(), List.of()).size();
    }

    private static long pending(UUID tenant) throws Exception {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from tenancy.outbox where published_at is null and tenant_id = '"
                        + tenant + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static KafkaConsumer<String, String> consumer(PalisadeTestStack stack) {
        java.util.Map<String, Object> props = stack.kafka().adminSettings();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
