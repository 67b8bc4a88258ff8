package io.palisade.booking.privacy;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.json;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.booking.Api;
import io.palisade.booking.BookingServiceStack;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Guest data export and the right to be forgotten: complete, idempotent, audited without the erased data. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class PrivacyTest {

    private static final String PHONE = "+33 1 70 36 39 50";

    private static String guestWithBooking(TestTenancy.Tenant tenant, String email) {
        return guestWithBooking(tenant, email, "Hugo Private");
    }

    private static String guestWithBooking(TestTenancy.Tenant tenant, String email, String name) {
        String slot = Api.publishedSlot(tenant.ownerToken(), 3000, 5);
        json().body(Map.of("slotId", slot, "seats", 2, "guest", Map.of("name", name, "email", email, "phone", PHONE,
                "dietaryNeeds", "lactose free", "allergies", "kiwi"))).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        return bearer(tenant.ownerToken()).queryParam("email", email).get("/guests").then().statusCode(200).body("", hasSize(1))
                .extract().path("[0].id");
    }

    @Test
    void ownersExportAGuestsDataDecrypted() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(1L);
        String email = "hugo-" + UUID.randomUUID() + "@example.org";
        String guest = guestWithBooking(tenant, email);
        bearer(tenant.ownerToken()).get("/guests/" + guest + "/export").then().statusCode(200)
                .body("email", equalTo(email)).body("phone", equalTo(PHONE)).body("allergies", equalTo("kiwi"))
                .body("bookings", hasSize(1)).body("bookings[0].amountMinor", equalTo(6000));
        bearer(tenant.staffToken()).get("/guests/" + guest + "/export").then().statusCode(403);
        bearer(tenant.staffToken()).queryParam("email", email).get("/guests").then().statusCode(403);
    }

    @Test
    void erasureScrubsEveryPersonalFieldKeepsTheFactsAndIsIdempotent() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "ida-" + UUID.randomUUID() + "@example.org";
        String name = "Ida Private " + UUID.randomUUID();
        String guest = guestWithBooking(tenant, email, name);
        // Someone else books giving the guest's email: that booking is not the guest's, yet erasure reaches what it holds.
        String other = "Other " + UUID.randomUUID();
        json().body(Map.of("slotId", Api.publishedSlot(tenant.ownerToken(), 3000, 5), "seats", 1, "guest", Map.of("name", other,
                "email", email, "allergies", "peanuts"))).post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        List<String> traces = new ArrayList<>(List.of(name, other, email, PHONE, "lactose free", "kiwi", "peanuts"));
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed"
                        + " from booking.guests where id = ?")) {
            st.setObject(1, UUID.fromString(guest));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                for (int i = 1; i <= 5; i++) {
                    traces.add(rs.getString(i));
                }
            }
        }
        String dueAt = bearer(tenant.ownerToken()).post("/guests/" + guest + "/erasure-requests").then().statusCode(201)
                .body("status", equalTo("pending")).extract().path("dueAt");
        long days = Duration.between(OffsetDateTime.now(), OffsetDateTime.parse(dueAt)).toDays();
        assertTrue(days >= 29 && days <= 30, "due in 30 days, is " + days);
        awaitCompleted(tenant);

        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select g::text, (select count(*) from booking.bookings b where b.guest_id = g.id"
                        + " and b.amount_minor = 6000 and b.seats = 2) from booking.guests g where g.id = ?")) {
            st.setObject(1, UUID.fromString(guest));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                String row = rs.getString(1);
                for (String pii : new String[] { "Ida", "v1:", PHONE }) {
                    assertFalse(row.contains(pii), "left in the guest row: " + pii + " in " + row);
                }
                assertEquals(1, rs.getLong(2), "the booking's facts are kept");
            }
        }
        assertEquals(List.of(), tablesHolding(traces), "the guest's data, its lookup value or its ciphertexts are left");
        bearer(tenant.ownerToken()).queryParam("email", email).get("/guests").then().statusCode(200).body("", hasSize(0));
        bearer(tenant.ownerToken()).get("/guests/" + guest + "/export").then().statusCode(200).body("anonymized", equalTo(true))
                .body("email", equalTo(null)).body("bookings", hasSize(1));
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from booking.booking_contacts k join booking.bookings b on b.id = k.booking_id"
                + " where b.tenant_id = ? and k.name = 'anonymized' and k.allergies_sealed is null and b.guest_id is null", tenant.id()),
                "the other booking's contact details are scrubbed");
        // Again: nothing to find, nothing changes, and it completes.
        bearer(tenant.ownerToken()).post("/guests/" + guest + "/erasure-requests").then().statusCode(201);
        awaitCompleted(tenant);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select count(*), bool_and(data::text not like ?) from booking.outbox"
                        + " where stream = 'audit' and type = 'guest.anonymized' and subject = ?")) {
            st.setString(1, "%" + email + "%");
            st.setString(2, guest);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(2, rs.getLong(1));
                assertTrue(rs.getBoolean(2), "an audit event holds the erased email");
            }
        }
    }

    /** Every table of the schema whose rows (as text) still contain one of the values. */
    private static List<String> tablesHolding(List<String> values) throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select table_name from information_schema.tables"
                    + " where table_schema = 'booking' and table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (PreparedStatement st = c.prepareStatement("select count(*) from booking." + table + " t where strpos(t::text, ?) > 0")) {
                    for (String value : values) {
                        st.setString(1, value);
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) > 0) {
                                found.add(table + " holds " + value);
                            }
                        }
                    }
                }
            }
        }
        return found;
    }

    private static void awaitCompleted(TestTenancy.Tenant tenant) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            java.util.List<String> statuses = bearer(tenant.ownerToken()).get("/erasure-requests").then().statusCode(200).extract().path("status");
            if (!statuses.isEmpty() && statuses.stream().allMatch("completed"::equals)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the erasure requests were not carried out");
    }
}
