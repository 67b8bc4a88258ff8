package io.palisade.webhook.endpoints;

import static io.palisade.webhook.WebhookApi.as;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.StaleAuthority;
import io.palisade.devstack.testing.TestTenancy;
import io.palisade.webhook.WebhookServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Registering a webhook endpoint follows the member's role in the database, not the older token's claim. */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class StaleAuthorityTest {

    @Test
    void aDemotedOwnerRegistersNoEndpointWithTheOldToken() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String owner = tenant.ownerToken();
        Map<String, Object> endpoint = Map.of("url", "https://hooks.example.com/palisade", "eventTypes", List.of("booking.created"));
        as(owner).get("/webhooks/endpoints").then().statusCode(200);
        StaleAuthority.change(tenant.id(), tenant.ownerId(), "staff", 0);
        as(owner).body(endpoint).post("/webhooks/endpoints").then().statusCode(403);
        as(owner).get("/webhooks/endpoints").then().statusCode(403);
    }
}
