package io.palisade.booking.guests;

import static io.palisade.booking.Api.json;

import io.palisade.booking.Api;
import io.palisade.booking.BookingServiceStack;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/** Guests' personal data sealed at rest, one guest per tenant and email, and guest tokens bound to their purpose. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class GuestsTest {

    @Inject
    GuestTokens tokens;

    private static Response hold(TestTenancy.Tenant tenant, String slot, Map<String, Object> guest) {
        return json().body(Map.of("slotId", slot, "seats", 1, "guest", guest)).post("/public/" + tenant.slug() + "/holds");
    }

    private static Map<String, Object> guest(String email) {
        return Map.of("name", "Bea Example", "email", email, "phone", "+44 20 7946 0958", "dietaryNeeds", "no pork, halal",
                "allergies", "shellfish and sesame");
    }

    @Test
    void personalDataIsNeverInPlainTextInAnyColumn() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 10);
        String email = "bea-" + UUID.randomUUID() + "@example.org";
        hold(tenant, slot, guest(email)).then().statusCode(201);
        List<String> found = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet columns = st.executeQuery("select table_name, column_name from information_schema.columns"
                        + " where table_schema = 'booking' and data_type in ('text', 'jsonb', 'character varying')")) {
            List<String[]> all = new ArrayList<>();
            while (columns.next()) {
                all.add(new String[] { columns.getString(1), columns.getString(2) });
            }
            for (String[] column : all) {
                for (String pii : List.of(email, "+44 20 7946 0958", "halal", "sesame")) {
                    try (PreparedStatement q = c.prepareStatement("select count(*) from booking." + column[0] + " where " + column[1]
                            + "::text ilike ?")) {
                        q.setString(1, "%" + pii + "%");
                        try (ResultSet rs = q.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) > 0) {
                                found.add(column[0] + "." + column[1] + " holds " + pii);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void aReturningGuestIsFoundByEmailAndIsAnotherGuestAtAnotherTenant() throws Exception {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String email = "cy-" + UUID.randomUUID() + "@example.org";
        hold(a, Api.publishedSlot(a.ownerToken(), 1000, 10), guest(email)).then().statusCode(201);
        hold(a, Api.publishedSlot(a.ownerToken(), 1000, 10), guest(email.toUpperCase())).then().statusCode(201);
        hold(b, Api.publishedSlot(b.ownerToken(), 1000, 10), guest(email)).then().statusCode(201);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select tenant_id, count(*), min(email_lookup) from booking.guests where tenant_id in ('"
                        + a.id() + "', '" + b.id() + "') group by tenant_id")) {
            List<String> lookups = new ArrayList<>();
            while (rs.next()) {
                assertEquals(1, rs.getLong(2));
                lookups.add(rs.getString(3));
            }
            assertEquals(2, lookups.size());
            assertNotEquals(lookups.get(0), lookups.get(1));
        }
    }

    @Test
    void guestTokensWorkOnlyForTheirPurposeAndOnlyUnaltered() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 2500, 10);
        Response held = hold(tenant, slot, guest("di-" + UUID.randomUUID() + "@example.org"));
        String manage = held.path("manageToken");
        String payment = held.path("paymentToken");
        String bookingId = held.path("bookingId");
        assertFalse(manage.contains(bookingId) || new String(Base64.getUrlDecoder().decode(manage.split("\\.")[0]),
                StandardCharsets.UTF_8).contains(bookingId), "the booking id is in the guest token");
        json().header("X-Guest-Token", manage).get("/guest/booking").then().statusCode(200)
                .body("status", equalTo("held")).body("guestName", equalTo("Bea Example")).body("amountMinor", equalTo(2500));
        // A payment token is not a manage token, and neither opens the other's door.
        json().header("X-Guest-Token", payment).get("/guest/booking").then().statusCode(401);
        assertTrue(tokens.verify(GuestTokens.Domain.PAYMENT, payment).isPresent());
        assertTrue(tokens.verify(GuestTokens.Domain.PAYMENT, manage).isEmpty());
        assertTrue(tokens.verify(GuestTokens.Domain.WAIVER, payment).isEmpty());
        // Altered: another booking reference in the payload, the same signature.
        String[] parts = manage.split("\\.");
        JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        payload.put("exp", payload.getLong("exp") + 86_400);
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[1];
        json().header("X-Guest-Token", altered).get("/guest/booking").then().statusCode(401);
        json().header("X-Guest-Token", "garbage").get("/guest/booking").then().statusCode(401);
        json().get("/guest/booking").then().statusCode(401);
    }

    @Test
    void anExpiredGuestTokenIsRefused() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String expired = tokens.issue(GuestTokens.Domain.MANAGE, tenant.id(), "any-reference", java.time.Instant.now().minusSeconds(1));
        assertTrue(tokens.verify(GuestTokens.Domain.MANAGE, expired).isEmpty());
        json().header("X-Guest-Token", expired).get("/guest/booking").then().statusCode(401);
    }

    @Test
    void aStrangerWhoKnowsTheEmailCannotChangeTheGuestsDetails() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "hal-" + UUID.randomUUID() + "@example.org";
        hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10), guest(email)).then().statusCode(201);
        hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10), Map.of("name", "Mallory", "email", email, "allergies", "none"))
                .then().statusCode(201);
        String guest = io.palisade.booking.Api.bearer(tenant.ownerToken()).queryParam("email", email).get("/guests").then()
                .extract().path("[0].id");
        io.palisade.booking.Api.bearer(tenant.ownerToken()).get("/guests/" + guest + "/export").then().statusCode(200)
                .body("name", equalTo("Bea Example")).body("allergies", equalTo("shellfish and sesame"))
                .body("phone", equalTo("+44 20 7946 0958")).body("bookings.size()", equalTo(2));
    }

    @Test
    void aHoldForAKnownGuestsEmailShowsNothingOfThemAndIsNotAddedToThem() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "ina-" + UUID.randomUUID() + "@example.org";
        hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10), Map.of("name", "Ina Known", "email", email)).then().statusCode(201);
        Response stranger = hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10),
                Map.of("name", "Mallory", "email", email, "phone", "+44 20 7946 0000", "allergies", "none"));
        stranger.then().statusCode(201);
        // The stranger's manage link shows the name the stranger gave, never the one the tenant knows for the email.
        json().header("X-Guest-Token", stranger.path("manageToken").toString()).get("/guest/booking").then().statusCode(200)
                .body("guestName", equalTo("Mallory"));
        // The known guest's empty fields stay empty, and the stranger's booking is not theirs.
        String guest = io.palisade.booking.Api.bearer(tenant.ownerToken()).queryParam("email", email).get("/guests").then()
                .extract().path("[0].id");
        io.palisade.booking.Api.bearer(tenant.ownerToken()).get("/guests/" + guest + "/export").then().statusCode(200)
                .body("name", equalTo("Ina Known")).body("phone", nullValue()).body("allergies", nullValue());
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from booking.bookings where guest_id = ?", UUID.fromString(guest)),
                "only the guest's own booking is theirs");
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from booking.bookings b join booking.booking_contacts k"
                + " on k.booking_id = b.id where b.public_ref = ? and b.guest_id is null and k.name = 'Mallory'",
                stranger.path("reference").toString()), "the stranger's booking keeps what the stranger gave, apart");
    }

    @Test
    void aHoldForAKnownGuestsEmailIsTheirsOnceTheEmailIsProven() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "joy-" + UUID.randomUUID() + "@example.org";
        hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10), Map.of("name", "Joy Known", "email", email)).then().statusCode(201);
        String first = io.palisade.booking.Mailbox.proofToken(email);
        String reference = hold(tenant, Api.publishedSlot(tenant.ownerToken(), 1000, 10), Map.of("name", "Joy", "email", email))
                .then().statusCode(201).extract().path("reference");
        String second = io.palisade.booking.Mailbox.to(email).stream().map(m -> m.getString("text"))
                .map(text -> text.substring(text.indexOf("#token=") + 7).split("\\s")[0]).filter(token -> !token.equals(first))
                .findFirst().orElseThrow();
        String guest = io.palisade.booking.Api.bearer(tenant.ownerToken()).queryParam("email", email).get("/guests").then()
                .extract().path("[0].id");
        assertEquals(0, PalisadeTestStack.get().count("select count(*) from booking.bookings where public_ref = ? and guest_id is not null",
                reference), "not the guest's before the proof");
        json().body(Map.of("token", second)).post("/guest/booking/confirm-email").then().statusCode(200).body("status", equalTo("held"))
                .body("reference", equalTo(reference));
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from booking.bookings where public_ref = ? and guest_id = ?",
                reference, UUID.fromString(guest)), "the guest's once the holder proved the email");
    }

    @Test
    void aTokenOfOneTenantNeverReachesAnotherTenantsBooking() {
        TestTenancy.Tenant a = TestTenancy.newTenant(0);
        TestTenancy.Tenant b = TestTenancy.newTenant(0);
        String reference = hold(a, Api.publishedSlot(a.ownerToken(), 2500, 1), guest("gus-" + UUID.randomUUID() + "@example.org"))
                .path("reference");
        String forB = tokens.issue(GuestTokens.Domain.MANAGE, b.id(), reference);
        json().header("X-Guest-Token", forB).get("/guest/booking").then().statusCode(404);
        json().header("X-Guest-Token", forB).post("/guest/booking/cancel").then().statusCode(404);
    }

    @Test
    void aGuestCancelsTheirOwnBookingOnce() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 2500, 1);
        String manage = hold(tenant, slot, guest("ed-" + UUID.randomUUID() + "@example.org")).path("manageToken");
        json().header("X-Guest-Token", manage).post("/guest/booking/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
        json().header("X-Guest-Token", manage).post("/guest/booking/cancel").then().statusCode(409);
        // The seat is free again.
        hold(tenant, slot, guest("fay-" + UUID.randomUUID() + "@example.org")).then().statusCode(201);
    }
}
