package io.palisade.booking;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.json;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Staff list, filter and page through bookings, and cancel them: checked transitions, freed seats, an audit trail. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class StaffBookingsTest {

    private static final long BOOKINGS_READ = 1L;
    private static final long BOOKINGS_CANCEL = 1L << 2;

    private static String hold(TestTenancy.Tenant tenant, String slot, int seats) {
        return json().body(Api.holdBody(slot, seats)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201)
                .extract().path("bookingId");
    }

    @Test
    void staffPageThroughBookingsWithFilters() throws InterruptedException {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(BOOKINGS_READ);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 20);
        String other = Api.publishedSlot(tenant.ownerToken(), 0, 20);
        for (int i = 0; i < 5; i++) {
            hold(tenant, slot, 1);
        }
        Map<String, Object> free = Api.holdBody(other, 1);
        json().body(free).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        Mailbox.prove((String) ((Map<?, ?>) free.get("guest")).get("email"));
        Set<String> seen = new HashSet<>();
        String cursor = null;
        do {
            Response page = bearer(tenant.staffToken()).queryParam("slotId", slot).queryParam("limit", 2)
                    .queryParam("cursor", cursor == null ? "" : cursor).get("/bookings");
            page.then().statusCode(200).body("items.slotId", everyItem(equalTo(slot)));
            seen.addAll(page.path("items.id"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        assertEquals(5, seen.size());
        bearer(tenant.staffToken()).queryParam("status", "confirmed").get("/bookings").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].slotId", equalTo(other));
        bearer(tenant.staffToken()).queryParam("status", "lost").get("/bookings").then().statusCode(400);
        bearer(tenant.staffToken()).queryParam("cursor", "garbage").get("/bookings").then().statusCode(400);
    }

    /** The time filter picks slots by when they start; the page still comes in creation order. */
    @Test
    void staffFilterBookingsByWhenTheirSlotStarts() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(BOOKINGS_READ);
        String soon = Api.publishedSlot(tenant.ownerToken(), 1000, 20);
        String offering = bearer(tenant.ownerToken()).body(Map.of("name", "Later", "priceMinor", 1000, "currency", "EUR",
                "durationMinutes", 60, "published", true)).post("/offerings").then().statusCode(201).extract().path("id");
        java.time.OffsetDateTime inTenDays = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plusDays(10).withNano(0);
        String later = bearer(tenant.ownerToken()).body(Map.of("startsAt", inTenDays.toString(), "capacity", 20))
                .post("/offerings/" + offering + "/slots").then().statusCode(201).extract().path("id");
        String first = hold(tenant, later, 1);
        hold(tenant, soon, 1);
        String third = hold(tenant, later, 1);
        String cut = inTenDays.minusDays(5).toString();
        bearer(tenant.staffToken()).queryParam("from", cut).get("/bookings").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(first, third));
        bearer(tenant.staffToken()).queryParam("to", cut).get("/bookings").then().statusCode(200)
                .body("items.slotId", org.hamcrest.Matchers.contains(soon));
        bearer(tenant.staffToken()).queryParam("from", cut).queryParam("status", "held").queryParam("limit", 1).get("/bookings")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.contains(first)).body("nextCursor", notNullValue());
    }

    @Test
    void bulkRebookMovesAllOrNothing() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String from = Api.publishedSlot(tenant.ownerToken(), 1000, 10);
        String small = Api.publishedSlot(tenant.ownerToken(), 1000, 4);
        String big = Api.publishedSlot(tenant.ownerToken(), 1000, 10);
        for (int i = 0; i < 3; i++) {
            hold(tenant, from, 2);
        }
        bearer(tenant.ownerToken()).body(Map.of("fromSlotId", from, "toSlotId", small)).post("/bookings/rebook").then().statusCode(409);
        assertEquals(6, seatsTaken(from));
        assertEquals(0, seatsTaken(small));
        bearer(tenant.ownerToken()).body(Map.of("fromSlotId", from, "toSlotId", big)).post("/bookings/rebook").then().statusCode(200)
                .body("moved", equalTo(3));
        assertEquals(0, seatsTaken(from));
        assertEquals(6, seatsTaken(big));
        bearer(tenant.ownerToken()).body(Map.of("fromSlotId", from, "toSlotId", big)).post("/bookings/rebook").then().statusCode(422);
        bearer(tenant.ownerToken()).body(Map.of("fromSlotId", big, "toSlotId", UUID.randomUUID())).post("/bookings/rebook").then().statusCode(404);
        bearer(tenant.staffToken()).body(Map.of("fromSlotId", big, "toSlotId", from)).post("/bookings/rebook").then().statusCode(403);
    }

    private static int seatsTaken(String slot) throws Exception {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select seats_taken from booking.slots where id = ?")) {
            st.setObject(1, UUID.fromString(slot));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void cancellingFreesTheSeatsIsAuditedAndOnlyLegalMovesPass() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(BOOKINGS_READ);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 2);
        String booking = hold(tenant, slot, 2);
        bearer(tenant.staffToken()).body(Map.of("reason", "no")).post("/bookings/" + booking + "/cancel").then().statusCode(403);
        bearer(tenant.ownerToken()).header("Idempotency-Key", UUID.randomUUID().toString()).body(Map.of("reason", "guest called"))
                .post("/bookings/" + booking + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"))
                .body("holdExpiresAt", nullValue()).body("id", notNullValue());
        // The seats are free again, and a cancelled booking stays cancelled.
        hold(tenant, slot, 2);
        bearer(tenant.ownerToken()).body(Map.of("reason", "again")).post("/bookings/" + booking + "/cancel").then().statusCode(409);
        bearer(tenant.ownerToken()).body(Map.of("reason", "x")).post("/bookings/" + UUID.randomUUID() + "/cancel").then().statusCode(404);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select data->'before'->>'status', data->'after'->>'status', data->'details'->>'reason',"
                        + " data->'actor'->>'userId' from booking.outbox where stream = 'audit' and type = 'booking.cancelled' and subject = ?")) {
            st.setString(1, booking);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals("held", rs.getString(1));
                assertEquals("cancelled", rs.getString(2));
                assertEquals("guest called", rs.getString(3));
                assertEquals(tenant.ownerId().toString(), rs.getString(4));
            }
        }
        TestTenancy.Tenant canceller = TestTenancy.newTenant(BOOKINGS_CANCEL);
        String slot2 = Api.publishedSlot(canceller.ownerToken(), 1000, 2);
        String booking2 = hold(canceller, slot2, 1);
        bearer(canceller.staffToken()).body(Map.of("reason", "ok")).post("/bookings/" + booking2 + "/cancel").then().statusCode(200);
    }
}
