package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Alerts (test profile: interval 5 s): a critical action raises one alert per tenant and kind per interval, on the
 * alerts topic and to the tenant's address; what comes in between is held and reported, counted, once the
 * interval is over; a threshold rule waits for that many entries; platform alerts go to the platform's address.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class AlertTest {

    private static final String ALERTS = "palisade.audit.alerts";

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts(String key, String kind) {
        return TestEvents.read(ALERTS, key).stream().map(e -> (Map<String, Object>) e.get("data")).filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static List<JsonObject> mailsTo(String address) {
        try (Stream<Path> files = Files.list(AuditServiceStack.MAIL)) {
            return files.filter(f -> f.toString().endsWith(".json")).map(f -> {
                try {
                    return new JsonObject(Files.readString(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(m -> address.equals(m.getString("to"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String destination(TestTenancy.Tenant tenant) {
        String address = "security-" + tenant.id() + "@example.test";
        given().header("Authorization", "Bearer " + tenant.ownerToken()).contentType("application/json")
                .body(Map.of("email", address)).put("/audit/alert-destination").then().statusCode(200).body("email", equalTo(address));
        return address;
    }

    private static void publish(UUID tenant, String action) {
        Map<String, Object> data = new HashMap<>();
        data.put("schemaVersion", 1);
        data.put("action", action);
        data.put("tenantId", tenant == null ? null : tenant.toString());
        data.put("actor", Map.of("userId", UUID.randomUUID().toString(), "role", "platform-admin", "clientIp", "198.51.100.7"));
        data.put("target", Map.of("type", "tenant", "id", String.valueOf(tenant)));
        data.put("outcome", "success");
        TestEvents.publish("palisade.audit", "/tenant-service", tenant, action, String.valueOf(tenant), data, UUID.randomUUID().toString());
    }

    private static int entries(TestTenancy.Tenant tenant) {
        return given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/entries").then().extract().path("items.size()");
    }

    @Test
    void oneAlertPerTenantAndKindPerIntervalAndTheHeldOnesAreCounted() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String aAddress = destination(a);
        String bAddress = destination(b);
        for (int i = 0; i < 6; i++) {
            publish(a.id(), "platform.impersonate_tenant");
        }
        publish(b.id(), "platform.impersonate_tenant");
        LedgerTest.await(() -> entries(a) >= 7 && entries(b) >= 2, "the entries (and the destination changes) are in the ledger");

        LedgerTest.await(() -> alerts(a.id().toString(), "platform.impersonate_tenant").size() == 1, "A's first alert");
        Map<String, Object> first = alerts(a.id().toString(), "platform.impersonate_tenant").get(0);
        assertEquals(0, ((Number) first.get("suppressedSinceLastAlert")).intValue());
        assertNotNull(first.get("trigger"));
        LedgerTest.await(() -> alerts(b.id().toString(), "platform.impersonate_tenant").size() == 1, "B's own alert, not held by A's");

        LedgerTest.await(() -> alerts(a.id().toString(), "platform.impersonate_tenant").size() == 2, "the held ones reported after the interval");
        Map<String, Object> summary = alerts(a.id().toString(), "platform.impersonate_tenant").get(1);
        assertEquals(5, ((Number) summary.get("suppressedSinceLastAlert")).intValue(), "five held back");
        assertNull(summary.get("trigger"));
        Duration apart = Duration.between(Instant.parse((String) first.get("raisedAt")), Instant.parse((String) summary.get("raisedAt")));
        assertTrue(apart.toMillis() >= 5000, "at most one per interval: " + apart);
        Thread.sleep(2000);
        assertEquals(2, alerts(a.id().toString(), "platform.impersonate_tenant").size(), "nothing more");

        LedgerTest.await(() -> mailsTo(aAddress).size() == 2 && mailsTo(bAddress).size() == 1, "the alerts are mailed to each tenant's address");
        assertTrue(mailsTo(aAddress).stream().allMatch(m -> m.getString("subject").contains("platform.impersonate_tenant")
                && m.getString("subject").contains(a.id().toString())));
        assertTrue(mailsTo(aAddress).stream().anyMatch(m -> m.getString("text").contains("Held back since the previous alert of this kind: 5")));
    }

    @Test
    void aThresholdRuleWaitsForThatManyWithinTheInterval() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        for (int i = 0; i < 4; i++) {
            publish(tenant.id(), "auth.forbidden");
        }
        LedgerTest.await(() -> entries(tenant) == 4, "four refusals");
        Thread.sleep(1500);
        assertEquals(0, alerts(tenant.id().toString(), "auth.forbidden").size(), "below the threshold of 5");
        publish(tenant.id(), "auth.forbidden");
        LedgerTest.await(() -> alerts(tenant.id().toString(), "auth.forbidden").size() == 1, "the fifth raises it");
        assertEquals(5, ((Number) alerts(tenant.id().toString(), "auth.forbidden").get(0).get("occurrencesInInterval")).intValue());
    }

    @Test
    void platformAlertsGoToThePlatformAddress() throws Exception {
        int before = mailsTo("security@palisade.test").size();
        publish(null, "auth.locked");
        LedgerTest.await(() -> mailsTo("security@palisade.test").size() > before, "a lockout is mailed to the platform's address");
        assertTrue(alerts("platform", "auth.locked").stream().anyMatch(a -> a.get("tenantId") == null));
    }

    @Test
    void onlyOwnersAndAdminsChooseTheAddress() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        given().header("Authorization", "Bearer " + tenant.staffToken()).contentType("application/json").body(Map.of("email", "x@example.test"))
                .put("/audit/alert-destination").then().statusCode(403);
        given().header("Authorization", "Bearer " + tenant.ownerToken()).contentType("application/json").body(Map.of("email", "not an address"))
                .put("/audit/alert-destination").then().statusCode(400);
        given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/audit/alert-destination").then().statusCode(404);
        given().header("Authorization", "Bearer " + tenant.ownerToken()).delete("/audit/alert-destination").then().statusCode(404);
        destination(tenant);
        given().header("Authorization", "Bearer " + tenant.ownerToken()).delete("/audit/alert-destination").then().statusCode(204);
    }
}
