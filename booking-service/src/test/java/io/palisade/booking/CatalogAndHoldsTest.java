package io.palisade.booking;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.json;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The catalogue, the public availability, holds priced on the server, and holds that expire. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class CatalogAndHoldsTest {

    private static final long CATALOG_MANAGE = 1L << 4;

    @Test
    void theWidgetSeesPublishedOfferingsWithFreeSeatsOnly() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 4500, 8);
        String hidden = bearer(tenant.ownerToken()).body(Map.of("name", "Staff rehearsal", "priceMinor", 0, "currency", "EUR",
                "durationMinutes", 60, "published", false)).post("/offerings").then().statusCode(201).extract().path("id");
        bearer(tenant.ownerToken()).body(Map.of("startsAt", java.time.OffsetDateTime.now().plusDays(2).toString(), "capacity", 3))
                .post("/offerings/" + hidden + "/slots").then().statusCode(201);
        json().get("/public/" + tenant.slug() + "/availability").then().statusCode(200)
                .body("slotId", hasItem(slot)).body("offeringId", not(hasItem(hidden)))
                .body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(8));
        json().get("/public/no-such-tenant-x/availability").then().statusCode(404);
    }

    @Test
    void everyCatalogueChangeIsAuditedWithTheFieldsItChanged() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String offering = bearer(tenant.ownerToken()).body(Map.of("name", "Night dive", "priceMinor", 6000, "currency", "EUR",
                "durationMinutes", 90, "published", false)).post("/offerings").then().statusCode(201).extract().path("id");
        bearer(tenant.ownerToken()).body(Map.of("priceMinor", 6500, "published", true)).patch("/offerings/" + offering).then().statusCode(200);
        String slot = bearer(tenant.ownerToken()).body(Map.of("startsAt", java.time.OffsetDateTime.now().plusDays(3).toString(), "capacity", 6))
                .post("/offerings/" + offering + "/slots").then().statusCode(201).extract().path("id");

        java.util.List<io.vertx.core.json.JsonObject> events = new java.util.ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select data::text from booking.outbox where stream = 'audit' and tenant_id = ? order by seq")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    events.add(new io.vertx.core.json.JsonObject(rs.getString(1)));
                }
            }
        }
        assertEquals(java.util.List.of("offering.created", "offering.updated", "slot.created"), events.stream().map(e -> e.getString("action")).toList());
        io.vertx.core.json.JsonObject updated = events.get(1);
        assertEquals(new io.vertx.core.json.JsonObject().put("priceMinor", 6000).put("published", false), updated.getJsonObject("before"));
        assertEquals(new io.vertx.core.json.JsonObject().put("priceMinor", 6500).put("published", true), updated.getJsonObject("after"));
        assertEquals(tenant.ownerId().toString(), updated.getJsonObject("actor").getString("userId"));
        assertEquals(offering, updated.getJsonObject("target").getString("id"));
        assertEquals(slot, events.get(2).getJsonObject("target").getString("id"));
        assertEquals(6, events.get(2).getJsonObject("after").getInteger("capacity"));
    }

    @Test
    void aHoldTakesSeatsAtOnceAtTheServersPrice() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 4500, 8);
        json().body(Api.holdBody(slot, 3)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201)
                .body("status", equalTo("held")).body("amountMinor", equalTo(13500)).body("currency", equalTo("EUR"));
        json().get("/public/" + tenant.slug() + "/availability").then()
                .body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(5));
        json().body(Api.holdBody(slot, 6)).post("/public/" + tenant.slug() + "/holds").then().statusCode(409);
        json().body(Api.holdBody(UUID.randomUUID(), 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(404);
        json().body(Api.holdBody(slot, 0)).post("/public/" + tenant.slug() + "/holds").then().statusCode(400);
        Map<String, Object> created = TestEvents.await("palisade.booking.events", tenant.id().toString(), "booking.created");
        assertEquals("/booking-service", created.get("source"), "read by the CloudEvents SDK, as any internal consumer may");
        assertEquals(13500, ((Map<?, ?>) created.get("data")).get("amountMinor"));
    }

    @Test
    void oneGuestEmailMakesAtMostFiveHoldsPerWindow() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 0, 40);
        Map<String, Object> guest = Map.of("name", "Flo Od", "email", "flood-" + UUID.randomUUID() + "@example.net");
        for (int i = 0; i < 5; i++) {
            json().body(Map.of("slotId", slot, "seats", 1, "guest", guest)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        }
        json().body(Map.of("slotId", slot, "seats", 1, "guest", guest)).post("/public/" + tenant.slug() + "/holds").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("retryAfterSeconds", both(greaterThan(0)).and(lessThanOrEqualTo(900)));
        json().body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().get("/public/" + tenant.slug() + "/availability").then()
                .body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(34));
    }

    @Test
    void oneClientMakesAtMostThirtyHoldsPerTenantAndWindow() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        TestTenancy.Tenant other = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 50);
        String secondSlot = Api.publishedSlot(tenant.ownerToken(), 1000, 50);
        String otherSlot = Api.publishedSlot(other.ownerToken(), 1000, 5);
        String squatter = "203.0.113." + (1 + new java.util.Random().nextInt(250));
        for (int i = 0; i < 30; i++) {
            // Over two slots: one client may hold at most 20 seats of one slot.
            json().header("X-Forwarded-For", squatter).body(Api.holdBody(i % 2 == 0 ? slot : secondSlot, 1))
                    .post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        }
        json().header("X-Forwarded-For", squatter).body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(429)
                .header("Retry-After", notNullValue());
        json().header("X-Forwarded-For", "192.0.2.10").body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().header("X-Forwarded-For", squatter).body(Api.holdBody(otherSlot, 1)).post("/public/" + other.slug() + "/holds").then().statusCode(201);
    }

    @Test
    void oneClientHoldsAtMostTwentySeatsOfOneSlotHoweverItSplitsThem() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 0, 50);
        String otherSlot = Api.publishedSlot(tenant.ownerToken(), 0, 50);
        String client = "203.0.113." + (1 + new java.util.Random().nextInt(250));
        json().header("X-Forwarded-For", client).body(Api.holdBody(slot, 10)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().header("X-Forwarded-For", client).body(Api.holdBody(slot, 9)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().header("X-Forwarded-For", client).body(Api.holdBody(slot, 2)).post("/public/" + tenant.slug() + "/holds").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("detail", equalTo("this client holds as many seats of this slot as one client may; try again later"));
        json().header("X-Forwarded-For", client).body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().header("X-Forwarded-For", client).body(Api.holdBody(otherSlot, 10)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().header("X-Forwarded-For", "192.0.2.77").body(Api.holdBody(slot, 10)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().get("/public/" + tenant.slug() + "/availability").then().body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(20));
    }

    @Test
    void oneNetworkMakesAtMostFortyHoldsPerTenantAndWindowHoweverManyAddressesItUses() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 50);
        String v4 = "198.51.100.";
        String v6 = "2001:db8:" + Integer.toHexString(new java.util.Random().nextInt(0xffff)) + ":ab";
        for (int i = 0; i < 40; i++) {
            // A new address every time: the client limit (30) never applies, the network's (an IPv4 /24) does.
            json().header("X-Forwarded-For", v4 + (i + 1)).body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        }
        json().header("X-Forwarded-For", v4 + 200).body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(429)
                .body("detail", containsString("network")).header("Retry-After", notNullValue());
        json().header("X-Forwarded-For", "198.51.101.1").body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);

        String otherSlot = Api.publishedSlot(tenant.ownerToken(), 1000, 50);
        for (int i = 0; i < 40; i++) {
            // Inside one IPv6 /56: 2001:db8:xxxx:ab00::/56 spans 2001:db8:xxxx:ab00:: to 2001:db8:xxxx:abff:ffff:...
            json().header("X-Forwarded-For", v6 + String.format("%02x", i) + "::" + Integer.toHexString(i + 1))
                    .body(Api.holdBody(otherSlot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        }
        json().header("X-Forwarded-For", v6 + "ff:1:2:3:4").body(Api.holdBody(otherSlot, 1)).post("/public/" + tenant.slug() + "/holds")
                .then().statusCode(429).body("detail", containsString("network"));
    }

    @Test
    void oneHoldTakesAtMostTenSeats() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 50);
        json().body(Api.holdBody(slot, 11)).post("/public/" + tenant.slug() + "/holds").then().statusCode(422)
                .body("errors[0].field", equalTo("seats"));
        json().body(Api.holdBody(slot, 10)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        json().get("/public/" + tenant.slug() + "/availability").then().body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(40));
    }

    @Test
    void aFreeBookingIsHeldUntilItsEmailIsProvenByTheLinkMailedToIt() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 0, 10);
        Map<String, Object> hold = Api.holdBody(slot, 2);
        String email = (String) ((Map<?, ?>) hold.get("guest")).get("email");
        json().body(hold).post("/public/" + tenant.slug() + "/holds").then().statusCode(201)
                .body("status", equalTo("held")).body("holdExpiresAt", notNullValue()).body("awaitingEmailProof", equalTo(true))
                .body("paymentToken", equalTo(null));
        String token = Mailbox.proofToken(email);
        json().body(Map.of("token", token + "x")).post("/guest/booking/confirm-email").then().statusCode(404);
        json().body(Map.of("token", token)).post("/guest/booking/confirm-email").then().statusCode(200).body("status", equalTo("confirmed"));
        json().body(Map.of("token", token)).post("/guest/booking/confirm-email").then().statusCode(404)
                .contentType("application/problem+json");
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from booking.bookings where tenant_id = ? and status = 'confirmed'"
                + " and hold_expires_at is null and seats = 2", tenant.id()));
        json().get("/public/" + tenant.slug() + "/availability").then().body("find { it.slotId == '" + slot + "' }.freeSeats", equalTo(8));
    }

    @Test
    void anExpiredHoldFreesItsSeats() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 1000, 4);
        String booking = json().body(Api.holdBody(slot, 4)).post("/public/" + tenant.slug() + "/holds").then()
                .statusCode(201).extract().path("bookingId");
        json().body(Api.holdBody(slot, 1)).post("/public/" + tenant.slug() + "/holds").then().statusCode(409);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("update booking.bookings set hold_expires_at = now() - interval '1 second' where id = ?")) {
            st.setObject(1, UUID.fromString(booking));
            assertEquals(1, st.executeUpdate());
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!"expired".equals(status(booking)) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals("expired", status(booking));
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select string_agg(type, ',' order by seq) from booking.outbox"
                        + " where subject = ? and stream = 'domain'")) {
            st.setString(1, booking);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals("booking.created,booking.expired", rs.getString(1), "payment-service learns of the hold and of its end");
            }
        }
        json().body(Api.holdBody(slot, 4)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
    }

    @Test
    void onlyCatalogManagersChangeTheCatalogue() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        Map<String, Object> offering = Map.of("name", "X", "priceMinor", 1, "currency", "EUR", "durationMinutes", 30, "published", true);
        bearer(tenant.staffToken()).body(offering).post("/offerings").then().statusCode(403);
        bearer(tenant.staffToken()).get("/offerings").then().statusCode(200);
        TestTenancy.Tenant managed = TestTenancy.newTenant(CATALOG_MANAGE);
        bearer(managed.staffToken()).body(offering).post("/offerings").then().statusCode(201);
        bearer(TestIssuer.get().guest(tenant.id(), UUID.randomUUID())).get("/offerings").then().statusCode(403);
        bearer(tenant.ownerToken()).body(Map.of("name", "X", "priceMinor", 1, "currency", "euro", "durationMinutes", 30))
                .post("/offerings").then().statusCode(400);
    }

    private static String status(String booking) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select status from booking.bookings where id = ?")) {
            st.setObject(1, UUID.fromString(booking));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
