package io.palisade.webhook;

import static io.palisade.webhook.WebhookApi.as;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.OpenApiOperations;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every endpoint of webhook-service, called by tenant B with A's ids: B never reads or changes A's endpoints. */
@QuarkusTest
@QuarkusTestResource(value = WebhookServiceStack.class, restrictToAnnotatedClass = true)
class CrossTenantIsolationTest {

    static TestTenancy.Tenant a;
    static TestTenancy.Tenant b;
    static String aEndpoint;
    static String aDelivery;


    @BeforeEach
    void tenants() throws InterruptedException {
        ScriptedResolver.answer("hooks.example.test", List.of("93.184.216.34"));
        if (a != null) {
            return;
        }
        a = TestTenancy.newTenant(0);
        b = TestTenancy.newTenant(0);
        // Public at registration, private at delivery: A's delivery ends at once, blocked.
        ScriptedResolver.answer("isolation.example.test", List.of("93.184.216.34"), List.of("10.0.0.1"));
        aEndpoint = as(a.ownerToken()).body(Map.of("url", "https://isolation.example.test/a", "eventTypes", List.of("booking.created")))
                .post("/webhooks/endpoints").then().statusCode(201).extract().path("endpoint.id");
        // A delivery of A's that has ended, to replay or not.
        TestEvents.publish("palisade.booking.events", "/booking-service", a.id(), "booking.created", "b-a", ContractSamples.sample("booking.created"),
                java.util.UUID.randomUUID().toString());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (aDelivery == null || !"failed".equals(aDeliveryStatus())) {
            aDelivery = as(a.ownerToken()).get("/webhooks/endpoints/" + aEndpoint + "/deliveries").then().extract().path("items[0].id");
            if (System.nanoTime() > deadline) {
                throw new AssertionError("A's delivery did not end");
            }
            Thread.sleep(200);
        }
    }

    private static String aDeliveryStatus() {
        return as(a.ownerToken()).get("/webhooks/endpoints/" + aEndpoint + "/deliveries").then().extract().path("items[0].status");
    }

    /** A's delivery has not been set going again. */
    private static void aDeliveryUntouched() {
        org.junit.jupiter.api.Assertions.assertEquals("failed", aDeliveryStatus());
    }

    /** A's endpoint is as A left it. */
    private static void aUntouched() {
        as(a.ownerToken()).get("/webhooks/endpoints/" + aEndpoint).then().statusCode(200)
                .body("url", org.hamcrest.Matchers.equalTo("https://isolation.example.test/a")).body("enabled", org.hamcrest.Matchers.equalTo(true));
    }

    private final Map<String, Consumer<String>> probes = Map.ofEntries(
            Map.entry("GET /webhooks/event-types", token -> as(token).get("/webhooks/event-types").then().statusCode(200)),
            Map.entry("GET /webhooks/endpoints", token -> as(token).get("/webhooks/endpoints").then().statusCode(200).body("items.id", not(hasItem(aEndpoint)))),
            Map.entry("POST /webhooks/endpoints", token -> as(token).body(Map.of("url", "https://hooks.example.test/b", "eventTypes", List.of("booking.created")))
                    .post("/webhooks/endpoints").then().statusCode(201).body("endpoint.id", not(org.hamcrest.Matchers.equalTo(aEndpoint)))),
            Map.entry("GET /webhooks/endpoints/{id}", token -> as(token).get("/webhooks/endpoints/" + aEndpoint).then().statusCode(404)),
            Map.entry("PATCH /webhooks/endpoints/{id}", token -> {
                as(token).body(Map.of("enabled", false)).patch("/webhooks/endpoints/" + aEndpoint).then().statusCode(404);
                aUntouched();
            }),
            Map.entry("DELETE /webhooks/endpoints/{id}", token -> {
                as(token).delete("/webhooks/endpoints/" + aEndpoint).then().statusCode(404);
                aUntouched();
            }),
            Map.entry("POST /webhooks/endpoints/{id}/secret/rotate", token -> {
                as(token).post("/webhooks/endpoints/" + aEndpoint + "/secret/rotate").then().statusCode(404);
                as(a.ownerToken()).get("/webhooks/endpoints/" + aEndpoint).then().body("previousSecretValidUntil", org.hamcrest.Matchers.nullValue());
            }),
            Map.entry("GET /webhooks/endpoints/{endpointId}/deliveries", token -> as(token).get("/webhooks/endpoints/" + aEndpoint + "/deliveries")
                    .then().statusCode(404)),
            Map.entry("GET /webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/attempts", token -> as(token)
                    .get("/webhooks/endpoints/" + aEndpoint + "/deliveries/" + aDelivery + "/attempts").then().statusCode(404)),
            Map.entry("POST /webhooks/endpoints/{endpointId}/deliveries/{deliveryId}/replay", token -> {
                as(token).post("/webhooks/endpoints/" + aEndpoint + "/deliveries/" + aDelivery + "/replay").then().statusCode(404);
                aDeliveryUntouched();
            }),
            Map.entry("POST /webhooks/endpoints/{endpointId}/replay", token -> {
                as(token).body(Map.of("since", "2020-01-01T00:00:00Z")).post("/webhooks/endpoints/" + aEndpoint + "/replay").then().statusCode(404);
                aDeliveryUntouched();
            }));

    @Test
    void everyEndpointIsProbed() {
        OpenApiOperations.Coverage coverage = OpenApiOperations.coverage("http://localhost:" + io.restassured.RestAssured.port, probes.keySet(), Set.of());
        assertEquals(Set.of(), coverage.unprobed(), "endpoints without a cross-tenant probe");
        assertEquals(Set.of(), coverage.stale(), "probes or exemptions for endpoints that no longer exist");
    }

    @Test
    void tenantBNeverReachesTenantAsEndpoints() {
        probes.values().forEach(probe -> probe.accept(b.ownerToken()));
    }
}
