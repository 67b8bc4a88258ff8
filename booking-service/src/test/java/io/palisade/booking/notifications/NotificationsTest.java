package io.palisade.booking.notifications;

import static io.palisade.booking.Api.bearer;
import static io.palisade.booking.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.booking.BookingServiceStack;
import io.palisade.booking.Mailbox;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Confirmations, reminders and cancellations are queued by the database and sent by the worker. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class NotificationsTest {

    private static String slotInDays(TestTenancy.Tenant tenant, int days, long price) {
        String offering = bearer(tenant.ownerToken()).body(Map.of("name", "Glacier hike", "priceMinor", price, "currency", "CHF",
                "durationMinutes", 240, "published", true)).post("/offerings").then().statusCode(201).extract().path("id");
        return bearer(tenant.ownerToken()).body(Map.of("startsAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(days).withNano(0).toString(),
                "capacity", 10)).post("/offerings/" + offering + "/slots").then().statusCode(201).extract().path("id");
    }

    @Test
    void aConfirmedBookingGetsAConfirmationNowAReminderLaterAndACancellationNotice() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "jo-" + UUID.randomUUID() + "@example.org";
        String manage = json().body(Map.of("slotId", slotInDays(tenant, 3, 0), "seats", 2, "guest", Map.of("name", "Jo", "email", email)))
                .post("/public/" + tenant.slug() + "/holds").then().statusCode(201).extract().path("manageToken");
        assertEquals("confirmed", Mailbox.prove(email), "a free booking is confirmed once its email is proven");
        JsonObject confirmation = Mailbox.await(email, "Your booking is confirmed");
        assertTrue(confirmation.getString("text").contains("2 × Glacier hike"));
        assertEquals(List.of("confirmation:sent", "reminder:pending"), queue(email, tenant));

        json().header("X-Guest-Token", manage).post("/guest/booking/cancel").then().statusCode(200);
        Mailbox.await(email, "Your booking was cancelled");
        assertEquals(List.of("confirmation:sent", "reminder:cancelled", "cancellation:sent"), queue(email, tenant));
    }

    @Test
    void aGuestMovedToAnotherSlotIsToldAndTheReminderMovesWithTheBooking() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "lou-" + UUID.randomUUID() + "@example.org";
        String from = slotInDays(tenant, 3, 0);
        String to = slotInDays(tenant, 6, 0);
        json().body(Map.of("slotId", from, "seats", 1, "guest", Map.of("name", "Lou", "email", email)))
                .post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        Mailbox.prove(email);
        Mailbox.await(email, "Your booking is confirmed");
        bearer(tenant.ownerToken()).body(Map.of("fromSlotId", from, "toSlotId", to)).post("/bookings/rebook").then().statusCode(200);
        Mailbox.await(email, "Your booking was moved");
        assertEquals(List.of("confirmation:sent", "reminder:cancelled", "reminder:pending", "rescheduled:sent"), queue(email, tenant));
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select n.due_at = s.starts_at - interval '24 hours' from booking.notifications n"
                        + " join booking.slots s on s.id = ?::uuid where n.tenant_id = ? and n.kind = 'reminder' and n.status = 'pending'")) {
            st.setString(1, to);
            st.setObject(2, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "the reminder is due a day before the new slot");
            }
        }
    }

    @Test
    void aHeldBookingIsToldNothingUntilItIsConfirmed() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String email = "kim-" + UUID.randomUUID() + "@example.org";
        json().body(Map.of("slotId", slotInDays(tenant, 3, 5000), "seats", 1, "guest", Map.of("name", "Kim", "email", email)))
                .post("/public/" + tenant.slug() + "/holds").then().statusCode(201);
        Thread.sleep(2500);
        assertEquals(List.of(), queue(email, tenant));
        assertEquals(List.of("Confirm your email address"), Mailbox.to(email).stream().map(m -> m.getString("subject")).toList(),
                "only the link that proves the address, no word about a booking");
    }

    private static List<String> queue(String email, TestTenancy.Tenant tenant) throws Exception {
        List<String> kinds = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select n.kind || ':' || n.status from booking.notifications n"
                        + " join booking.guests g on g.id = n.guest_id where n.tenant_id = ? order by n.created_at, n.kind")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    kinds.add(rs.getString(1));
                }
            }
        }
        return kinds;
    }
}
