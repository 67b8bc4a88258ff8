package io.palisade.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.OpenApiOperations;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tenant B, with valid tokens of its own, against every endpoint of audit-service and tenant A's entries. The
 * endpoint list comes from the OpenAPI document: an endpoint added without a probe fails this test.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class CrossTenantIsolationTest {

    static TestTenancy.Tenant a;
    static TestTenancy.Tenant b;
    static String aEvent;
    static final String A_ALERTS = "alerts-of-a@example.test";

    /** A's alert address is still A's after B acted. */
    private static void aKeepsItsDestination() {
        given().header("Authorization", "Bearer " + a.ownerToken()).get("/audit/alert-destination").then().statusCode(200)
                .body("email", equalTo(A_ALERTS));
    }

    @BeforeEach
    void tenants() throws Exception {
        if (a != null) {
            return;
        }
        a = TestTenancy.newTenant(0);
        b = TestTenancy.newTenant(0);
        aEvent = LedgerTest.publish(a, "member.role_changed", "a-member", UUID.randomUUID().toString());
        LedgerTest.await(() -> given().header("Authorization", "Bearer " + a.ownerToken()).get("/audit/entries").then().extract()
                .path("items.size()").equals(1), "A's entry is in the ledger");
        given().header("Authorization", "Bearer " + a.ownerToken()).contentType("application/json").body(Map.of("email", A_ALERTS))
                .put("/audit/alert-destination").then().statusCode(200);
    }

    /**
     * Reads first, in this order: B's own writes below add entries to B's own chain, which /audit/verify counts (an
     * unordered map ran them first in some runs, and B's two entries of its own looked like a leak).
     */
    private final Map<String, Consumer<String>> probes = new java.util.LinkedHashMap<>();

    {
        probes.put("GET /audit/entries", token -> given().header("Authorization", "Bearer " + token).get("/audit/entries").then().statusCode(200)
                .body("items.eventId", not(hasItem(aEvent))));
        probes.put("GET /audit/verify", token -> given().header("Authorization", "Bearer " + token).get("/audit/verify").then().statusCode(200)
                .body("entries", equalTo(0)).body("checkpoints", equalTo(0)));
        probes.put("GET /audit/checkpoints", token -> given().header("Authorization", "Bearer " + token).get("/audit/checkpoints").then()
                .statusCode(200).body("size()", equalTo(0)));
        probes.put("GET /audit/alert-destination", token -> given().header("Authorization", "Bearer " + token).get("/audit/alert-destination")
                .then().body(not(containsString(A_ALERTS))));
        probes.put("GET /platform/audit/entries", token -> given().header("Authorization", "Bearer " + token).queryParam("tenantId", a.id())
                .get("/platform/audit/entries").then().statusCode(403));
        probes.put("PUT /audit/alert-destination", token -> {
            given().header("Authorization", "Bearer " + token).contentType("application/json").body(Map.of("email", "b@example.test"))
                    .put("/audit/alert-destination").then().statusCode(200);
            aKeepsItsDestination();
        });
        probes.put("DELETE /audit/alert-destination", token -> {
            given().header("Authorization", "Bearer " + token).delete("/audit/alert-destination").then().statusCode(anyOf(is(204), is(404)));
            aKeepsItsDestination();
        });
    }

    @Test
    void everyEndpointIsProbed() {
        OpenApiOperations.Coverage coverage = OpenApiOperations.coverage("http://localhost:" + io.restassured.RestAssured.port, probes.keySet(),
                Set.of("GET /audit/checkpoint-keys"));
        assertEquals(Set.of(), coverage.unprobed(), "endpoints without a cross-tenant probe");
        assertEquals(Set.of(), coverage.stale(), "probes or exemptions for endpoints that no longer exist");
    }

    @Test
    void tenantBSeesNothingOfTenantA() {
        probes.values().forEach(probe -> probe.accept(b.ownerToken()));
    }
}
