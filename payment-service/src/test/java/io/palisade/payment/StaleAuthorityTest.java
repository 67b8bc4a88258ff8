package io.palisade.payment;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.StaleAuthority;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Refunds and gift cards follow the member's authority in the database, not the older token's claims. */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class StaleAuthorityTest {

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON);
    }

    @Test
    void aRevokedPermissionRefusesRefundsAndGiftCardsAtOnce() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(TestTenancy.ALL_PERMISSIONS);
        String staff = tenant.staffToken();
        Map<String, Object> refund = Map.of("amountMinor", 100, "reason", "goodwill");
        as(staff).body(refund).post("/payments/" + UUID.randomUUID() + "/refunds").then().statusCode(404);
        as(staff).body(Map.of("amountMinor", 500, "currency", "EUR")).post("/gift-cards").then().statusCode(201);

        StaleAuthority.change(tenant.id(), tenant.staffId(), "staff", 0);
        as(staff).body(refund).post("/payments/" + UUID.randomUUID() + "/refunds").then().statusCode(403);
        as(staff).body(Map.of("amountMinor", 500, "currency", "EUR")).post("/gift-cards").then().statusCode(403);

        StaleAuthority.change(tenant.id(), tenant.ownerId(), "staff", 0);
        as(tenant.ownerToken()).body(Map.of("amountMinor", 500, "currency", "EUR")).post("/gift-cards").then().statusCode(403);
    }
}
