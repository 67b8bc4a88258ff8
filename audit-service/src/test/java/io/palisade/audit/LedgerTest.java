package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * The ledger: every audit event from the topic once, append-only even for the schema owner, each tenant's entries
 * a hash chain whose check finds a tampered entry; owners and admins read their own tenant's entries only.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class LedgerTest {

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** An audit event as every service's AuditLog publishes it; returns its id. */
    static String publish(TestTenancy.Tenant tenant, String action, String targetId, String eventId) {
        return publish(tenant, tenant.id(), "/booking-service", action, targetId, eventId);
    }

    /** An audit event about a tenant, sent for {@code sentFor} by {@code source}. */
    static String publish(TestTenancy.Tenant tenant, UUID sentFor, String source, String action, String targetId, String eventId) {
        Map<String, Object> data = new HashMap<>();
        data.put("schemaVersion", 1);
        data.put("action", action);
        data.put("tenantId", tenant.id().toString());
        data.put("actor", Map.of("userId", tenant.ownerId().toString(), "role", "owner", "clientIp", "203.0.113.5"));
        data.put("target", Map.of("type", "booking", "id", targetId));
        data.put("outcome", "success");
        data.put("before", Map.of("status", "held"));
        data.put("after", Map.of("status", "cancelled"));
        data.put("details", Map.of("reason", "guest asked, \"politely\", by phone"));
        return TestEvents.publish("palisade.audit", source, sentFor, action, targetId, data, eventId);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && !condition.getAsBoolean()) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    private static int entries(TestTenancy.Tenant tenant) {
        return bearer(tenant.ownerToken()).get("/audit/entries").then().statusCode(200).extract().path("items.size()");
    }

    @Test
    void anEventIsStoredOnceHoweverOftenItIsDelivered() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String id = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            publish(tenant, "booking.cancelled", "b-1", id);
        }
        publish(tenant, "booking.rebooked", "b-2", UUID.randomUUID().toString());
        await(() -> entries(tenant) == 2, "both events are in the ledger");
        Thread.sleep(1000);
        assertEquals(2, entries(tenant), "the redelivered event is stored once");
        bearer(tenant.ownerToken()).queryParam("action", "booking.cancelled").get("/audit/entries").then()
                .body("items.size()", equalTo(1)).body("items[0].eventId", equalTo(id)).body("items[0].actorRole", equalTo("owner"))
                .body("items[0].entry.before.status", equalTo("held")).body("items[0].chainSeq", equalTo(1));
        bearer(tenant.staffToken()).get("/audit/entries").then().statusCode(403);
    }

    /**
     * Only a Palisade service writes the audit topic, and an entry goes into the chain of the tenant it was sent for: one
     * naming another tenant in its payload (a bug, or a service's credentials misused) is refused, not written into that
     * tenant's chain.
     */
    @Test
    void anEntryForAnotherTenantOrFromAStrangerIsRefused() throws Exception {
        TestTenancy.Tenant victim = TestTenancy.newTenant(0);
        TestTenancy.Tenant sender = TestTenancy.newTenant(0);
        publish(victim, sender.id(), "/booking-service", "booking.cancelled", "forged-1", UUID.randomUUID().toString());
        publish(victim, null, "/booking-service", "booking.cancelled", "forged-2", UUID.randomUUID().toString());
        publish(victim, victim.id(), "/somebody", "booking.cancelled", "forged-3", UUID.randomUUID().toString());
        publish(victim, "booking.cancelled", "genuine", UUID.randomUUID().toString());
        await(() -> entries(victim) >= 1, "the genuine entry arrives after the refused ones");
        Thread.sleep(500);
        bearer(victim.ownerToken()).get("/audit/entries").then().body("items.size()", equalTo(1)).body("items[0].targetId", equalTo("genuine"));
        assertEquals(0, entries(sender), "nor does it land in the sender's chain");
    }

    @Test
    void theLedgerIsAppendOnlyEvenForTheSchemaOwnerAndASuperuser() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        publish(tenant, "member.updated", "u-1", UUID.randomUUID().toString());
        await(() -> entries(tenant) == 1, "the event is in the ledger");
        for (String role : new String[] { "audit_owner", "audit_service" }) {
            try (Connection c = PalisadeTestStack.get().connectAs(role); Statement st = c.createStatement()) {
                assertThrows(SQLException.class, () -> st.executeUpdate("update audit.ledger set action = 'nothing' where tenant_id = '" + tenant.id() + "'"));
                assertThrows(SQLException.class, () -> st.executeUpdate("delete from audit.ledger where tenant_id = '" + tenant.id() + "'"));
                assertThrows(SQLException.class, () -> st.executeUpdate("truncate audit.ledger"));
            }
        }
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeUpdate("delete from audit.ledger where tenant_id = '" + tenant.id() + "'"));
            assertThrows(SQLException.class, () -> st.executeUpdate("truncate audit.ledger"));
        }
        assertEquals(1, entries(tenant));
    }

    @Test
    void theChainCheckFindsATamperedEntry() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String second = UUID.randomUUID().toString();
        publish(tenant, "payment.refund_requested", "p-1", UUID.randomUUID().toString());
        publish(tenant, "payment.refund_requested", "p-2", second);
        publish(tenant, "payment.refund_requested", "p-3", UUID.randomUUID().toString());
        await(() -> entries(tenant) == 3, "three entries");
        bearer(tenant.ownerToken()).get("/audit/verify").then().statusCode(200).body("entries", equalTo(3)).body("brokenAt", nullValue());

        // Someone with the power to switch the trigger off rewrites an entry.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            st.execute("alter table audit.ledger disable trigger ledger_no_update");
            st.executeUpdate("update audit.ledger set entry = jsonb_set(entry, '{details,reason}', '\"nothing happened\"')"
                    + " where event_id = '" + second + "'");
            st.execute("alter table audit.ledger enable trigger ledger_no_update");
        }
        bearer(tenant.ownerToken()).get("/audit/verify").then().statusCode(200).body("brokenAt", equalTo(2)).body("eventId", equalTo(second))
                .body("problem", equalTo("the entry does not match its hash"));
    }

    @Test
    void entriesExportAsCsvSafeForSpreadsheets() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        publish(tenant, "booking.cancelled", "=HYPERLINK(\"http://evil\")", UUID.randomUUID().toString());
        publish(tenant, "booking.rebooked", "\t=1+1", UUID.randomUUID().toString());
        publish(tenant, "booking.refunded", "\r=1+2", UUID.randomUUID().toString());
        await(() -> entries(tenant) == 3, "the entries");
        String csv = bearer(tenant.ownerToken()).queryParam("format", "csv").get("/audit/entries").then().statusCode(200)
                .contentType(startsWith("text/csv")).extract().asString();
        assertTrue(csv.startsWith("occurred_at,event_id,chain_seq,action"));
        assertTrue(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "a formula is neutralised: " + csv);
        assertTrue(csv.contains(",'\t=1+1,"), "so is one behind a tab: " + csv);
        assertTrue(csv.contains(",\"'\r=1+2\","), "and one behind a carriage return: " + csv);
        bearer(tenant.ownerToken()).queryParam("format", "xml").get("/audit/entries").then().statusCode(400);
    }

    @Test
    void tenantBNeverSeesTenantAsEntries() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        publish(a, "booking.cancelled", "a-only", UUID.randomUUID().toString());
        await(() -> entries(a) == 1, "A's entry");
        assertEquals(0, entries(b));
        bearer(b.ownerToken()).queryParam("targetId", "a-only").get("/audit/entries").then().body("items.size()", equalTo(0));
        bearer(b.ownerToken()).get("/audit/verify").then().body("entries", equalTo(0));
    }
}
