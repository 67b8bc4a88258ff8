package io.palisade.booking;

import static io.palisade.booking.Api.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.OpenApiOperations;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tenant B, with valid tokens of its own, against every endpoint of booking-service and tenant A's objects.
 * The endpoint list comes from the OpenAPI document: an endpoint added without a probe fails this test.
 */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class CrossTenantIsolationTest {

    /**
     * The public widget (the tenant is the slug's; only published offerings and free seats are shown) and the
     * guest's own booking (tenant and booking come from a verified guest token: GuestsTest proves a token of one
     * tenant finds nothing of another; or from an email proof link's hash, which names one booking).
     */
    private static final Set<String> PUBLIC = Set.of("GET /public/{tenant}/availability", "POST /public/{tenant}/holds",
            "GET /guest/booking", "POST /guest/booking/cancel", "POST /guest/booking/confirm-email", "GET /guest/waiver",
            "POST /guest/waiver/sign");

    static TestTenancy.Tenant a;
    static TestTenancy.Tenant b;
    static String aOffering;
    static String aSlot;
    static String aBooking;
    static String aGuest;
    static String aGuestEmail;

    @BeforeEach
    void tenants() {
        if (a != null) {
            return;
        }
        a = TestTenancy.newTenant(0);
        b = TestTenancy.newTenant(0);
        aSlot = Api.publishedSlot(a.ownerToken(), 1000, 5);
        aOffering = bearer(a.ownerToken()).get("/offerings").then().extract().path("[0].id");
        bearer(a.ownerToken()).body(Map.of("text", "A's waiver")).put("/waiver").then().statusCode(200);
        aGuestEmail = "a-guest-" + java.util.UUID.randomUUID() + "@example.org";
        aBooking = Api.json().body(Map.of("slotId", aSlot, "seats", 1, "guest", Map.of("name", "A's guest", "email", aGuestEmail)))
                .post("/public/" + a.slug() + "/holds").then().statusCode(201).extract().path("bookingId");
        aGuest = bearer(a.ownerToken()).queryParam("email", aGuestEmail).get("/guests").then().statusCode(200).extract().path("[0].id");
    }

    private final Map<String, Consumer<String>> probes = Map.ofEntries(
            Map.entry("GET /guests", token -> bearer(token).queryParam("email", aGuestEmail).get("/guests").then().statusCode(200)
                    .body("size()", equalTo(0))),
            Map.entry("GET /guests/{id}/export", token -> bearer(token).get("/guests/" + aGuest + "/export").then().statusCode(404)),
            Map.entry("POST /guests/{id}/erasure-requests", token -> {
                bearer(token).post("/guests/" + aGuest + "/erasure-requests").then().statusCode(404);
                bearer(a.ownerToken()).get("/erasure-requests").then().body("size()", equalTo(0));
            }),
            Map.entry("GET /erasure-requests", token -> bearer(token).get("/erasure-requests").then().statusCode(200)
                    .body("guestId", not(hasItem(aGuest)))),
            Map.entry("GET /waiver", token -> {
                io.restassured.response.Response waiver = bearer(token).get("/waiver");
                assertTrue(waiver.statusCode() == 404 || !"A's waiver".equals(waiver.path("text")), "B read A's waiver");
            }),
            Map.entry("PUT /waiver", token -> {
                bearer(token).body(Map.of("text", "B's waiver")).put("/waiver").then().statusCode(200);
                bearer(a.ownerToken()).get("/waiver").then().statusCode(200).body("text", equalTo("A's waiver"));
            }),
            Map.entry("POST /bookings/rebook", token -> {
                String bSlot = Api.publishedSlot(token, 1000, 10);
                bearer(token).body(Map.of("fromSlotId", aSlot, "toSlotId", bSlot)).post("/bookings/rebook").then().statusCode(422);
                bearer(token).body(Map.of("fromSlotId", bSlot, "toSlotId", aSlot)).post("/bookings/rebook").then().statusCode(404);
                bearer(a.ownerToken()).get("/bookings").then().body("items.find { it.id == '" + aBooking + "' }.slotId", equalTo(aSlot));
            }),
            Map.entry("GET /bookings", token -> bearer(token).get("/bookings").then().statusCode(200).body("items.id", not(hasItem(aBooking)))),
            Map.entry("POST /bookings/{id}/cancel", token -> {
                bearer(token).body(Map.of("reason", "B tries")).post("/bookings/" + aBooking + "/cancel").then().statusCode(404);
                bearer(a.ownerToken()).get("/bookings").then().body("items.find { it.id == '" + aBooking + "' }.status", equalTo("held"));
            }),
            Map.entry("GET /offerings", token -> bearer(token).get("/offerings").then().statusCode(200).body("id", not(hasItem(aOffering)))),
            Map.entry("POST /offerings", token -> {
                bearer(token).body(Map.of("name", "B's", "priceMinor", 1, "currency", "EUR", "durationMinutes", 30, "published", true))
                        .post("/offerings").then().statusCode(201);
                bearer(a.ownerToken()).get("/offerings").then().body("name", not(hasItem("B's")));
            }),
            Map.entry("PATCH /offerings/{id}", token -> {
                bearer(token).body(Map.of("published", false)).patch("/offerings/" + aOffering).then().statusCode(404);
                bearer(a.ownerToken()).get("/offerings").then().body("find { it.id == '" + aOffering + "' }.published", equalTo(true));
            }),
            Map.entry("GET /offerings/{id}/slots", token -> bearer(token).get("/offerings/" + aOffering + "/slots").then().statusCode(404)),
            Map.entry("POST /offerings/{id}/slots", token -> {
                bearer(token).body(Map.of("startsAt", java.time.OffsetDateTime.now().plusDays(3).toString(), "capacity", 99))
                        .post("/offerings/" + aOffering + "/slots").then().statusCode(404);
                bearer(a.ownerToken()).get("/offerings/" + aOffering + "/slots").then().body("size()", equalTo(1));
            }));

    @Test
    void everyEndpointIsEitherProbedOrPublic() {
        OpenApiOperations.Coverage coverage = OpenApiOperations.coverage("http://localhost:" + io.restassured.RestAssured.port, probes.keySet(),
                PUBLIC);
        assertEquals(Set.of(), coverage.unprobed(), "endpoints without a cross-tenant probe");
        assertEquals(Set.of(), coverage.stale(), "probes or exemptions for endpoints that no longer exist");
    }

    @Test
    void tenantBSeesAndChangesNothingOfTenantA() {
        String ownerB = b.ownerToken();
        probes.forEach((operation, probe) -> probe.accept(ownerB));
    }

    @Test
    void theWidgetOfBNeverReachesASlots() {
        Api.json().body(Api.holdBody(aSlot, 1)).post("/public/" + b.slug() + "/holds").then().statusCode(404);
        Api.json().get("/public/" + b.slug() + "/availability").then().statusCode(200).body("slotId", not(hasItem(aSlot)));
    }
}
