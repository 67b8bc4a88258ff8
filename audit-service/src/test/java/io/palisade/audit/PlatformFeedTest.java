package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The platform admins' cross-tenant feed: only for users the database knows as platform admins, and every use audited. */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class PlatformFeedTest {

    @Test
    void aPlatformAdminReadsEveryTenantAndEveryReadIsAudited() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String aEvent = LedgerTest.publish(a, "booking.cancelled", "feed-a", UUID.randomUUID().toString());
        String bEvent = LedgerTest.publish(b, "booking.cancelled", "feed-b", UUID.randomUUID().toString());
        UUID admin = TestTenancy.newPlatformAdmin();
        String token = TestIssuer.get().platformAdmin(admin);
        LedgerTest.await(() -> ledgerCount("event_id in ('" + aEvent + "', '" + bEvent + "')") == 2, "both entries are in the ledger");
        given().header("Authorization", "Bearer " + token).queryParam("tenantId", b.id()).get("/platform/audit/entries").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].eventId", equalTo(bEvent));
        given().header("Authorization", "Bearer " + token).queryParam("action", "booking.cancelled").queryParam("limit", 1000)
                .get("/platform/audit/entries").then().statusCode(200).body("items.eventId", hasItem(aEvent)).body("items.eventId", hasItem(bEvent));
        given().header("Authorization", "Bearer " + token).queryParam("tenantId", a.id()).get("/platform/audit/entries").then()
                .body("items.size()", equalTo(1)).body("items[0].eventId", equalTo(aEvent));

        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from audit.outbox where stream = 'audit' and type = 'platform.audit_feed_read'"
                        + " and tenant_id is null and data->'actor'->>'userId' = '" + admin + "'")) {
            rs.next();
            assertEquals(3, rs.getLong(1), "each read of the feed is an audit event of its own");
        }
        LedgerTest.await(() -> ledgerCount("chain_key = 'platform' and action = 'platform.audit_feed_read' and actor_id = '" + admin + "'") == 3,
                "and reaches the ledger's platform chain through the topic");
    }

    private static long ledgerCount(String where) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from audit.ledger where " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theRoleClaimAloneOpensNothingAndTenantsAreRefused() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        String event = LedgerTest.publish(a, "booking.cancelled", "claim-only", UUID.randomUUID().toString());
        LedgerTest.await(() -> ledgerCount("event_id = '" + event + "'") == 1, "the entry is in the ledger");
        // A token that says platform-admin for a user the database does not know as one is refused outright (the role
        // counts only while the database confirms it), and the feed would be empty for it anyway.
        String claimOnly = TestIssuer.get().platformAdmin(a.ownerId());
        given().header("Authorization", "Bearer " + claimOnly).queryParam("tenantId", a.id()).get("/platform/audit/entries").then()
                .statusCode(403);
        given().header("Authorization", "Bearer " + a.ownerToken()).get("/platform/audit/entries").then().statusCode(403);
    }
}
