package io.palisade.booking;

import static io.palisade.booking.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.palisade.common.events.PaymentContract;
import io.vertx.core.json.JsonObject;

/**
 * A paid booking is confirmed only by a payment.succeeded event from Kafka (published here as payment-service
 * will); the same event twice, or events out of order, change nothing the second time.
 */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class PaymentEventsTest {

    private static KafkaProducer<String, String> producer;

    private static KafkaProducer<String, String> producer() {
        if (producer == null) {
            java.util.Map<String, Object> props = PalisadeTestStack.get().kafka().adminSettings();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.close();
        }
    }

    private static String publish(TestTenancy.Tenant tenant, String type, String bookingId, long amount, String eventId) throws Exception {
        JsonObject event = new JsonObject().put("specversion", "1.0").put("id", eventId).put("source", "/payment-service")
                .put("type", type).put("subject", bookingId).put("time", Instant.now().toString()).put("tenantid", tenant.id().toString())
                .put("datacontenttype", "application/json")
                .put("data", paymentData(type, UUID.fromString(bookingId), amount));
        producer().send(new ProducerRecord<>("palisade.payment.events", tenant.id().toString(), event.encode())).get();
        return eventId;
    }

    /** The data of a payment event as payment-service writes it: its record in the contract. */
    static JsonObject paymentData(String type, UUID bookingId, long amount) {
        String intent = "pi_" + UUID.randomUUID().toString().replace("-", "");
        return "payment.succeeded".equals(type)
                ? PaymentContract.SUCCEEDED.write(PaymentContract.PaymentSucceeded.of(bookingId, UUID.randomUUID(), intent, "evt_1", amount, 0, "EUR"))
                : PaymentContract.REFUNDED.write(new PaymentContract.PaymentMoved(bookingId, UUID.randomUUID(), intent, "evt_1", amount, "EUR"));
    }

    private static String hold(TestTenancy.Tenant tenant, String slot, int seats) {
        return json().body(Api.holdBody(slot, seats)).post("/public/" + tenant.slug() + "/holds").then().statusCode(201)
                .extract().path("bookingId");
    }

    @Test
    void aPaymentConfirmsItsBookingOnceEvenIfDeliveredTwice() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 3000, 5);
        String booking = hold(tenant, slot, 2);
        String eventId = UUID.randomUUID().toString();
        publish(tenant, "payment.succeeded", booking, 6000, eventId);
        publish(tenant, "payment.succeeded", booking, 6000, eventId);
        awaitOutcome(eventId);
        assertEquals("confirmed", status(booking));
        // A later, different success event for the same booking changes nothing either.
        String again = publish(tenant, "payment.succeeded", booking, 6000, UUID.randomUUID().toString());
        assertEquals("already_confirmed", awaitOutcome(again));
        assertEquals(List.of("booking.created", "booking.confirmed"), outboxTypes(booking));
    }

    @Test
    void aRefundBeforeTheSuccessEventIsFinal() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 3000, 5);
        String booking = hold(tenant, slot, 1);
        assertEquals("refunded", awaitOutcome(publish(tenant, "payment.refunded", booking, 3000, UUID.randomUUID().toString())));
        assertEquals("payment_after_refunded", awaitOutcome(publish(tenant, "payment.succeeded", booking, 3000, UUID.randomUUID().toString())));
        assertEquals("refunded", status(booking));
        // Nothing asks payment-service to refund a second time.
        assertEquals(List.of("booking.created", "booking.refunded"), outboxTypes(booking));
        assertEquals("already_refunded", awaitOutcome(publish(tenant, "payment.refunded", booking, 3000, UUID.randomUUID().toString())));
    }

    @Test
    void aPartialRefundLeavesTheBookingAsItIs() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String booking = hold(tenant, Api.publishedSlot(tenant.ownerToken(), 3000, 5), 1);
        assertEquals("confirmed", awaitOutcome(publish(tenant, "payment.succeeded", booking, 3000, UUID.randomUUID().toString())));
        assertEquals("partial_refund", awaitOutcome(publish(tenant, "payment.refunded", booking, 500, UUID.randomUUID().toString())));
        assertEquals("confirmed", status(booking));
    }

    @Test
    void aMessageThatCanNeverBeAppliedDoesNotBlockThoseBehindIt() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String booking = hold(tenant, Api.publishedSlot(tenant.ownerToken(), 3000, 5), 1);
        producer().send(new ProducerRecord<>("palisade.payment.events", tenant.id().toString(), "not json at all")).get();
        producer().send(new ProducerRecord<>("palisade.payment.events", tenant.id().toString(), null)).get();
        publish(tenant, "payment.succeeded", booking, 3000, "not-a-uuid-" + "x".repeat(3000));
        assertEquals("confirmed", awaitOutcome(publish(tenant, "payment.succeeded", booking, 3000, UUID.randomUUID().toString())));
    }

    @Test
    void aPaymentAfterTheHoldExpiredDoesNotResurrectIt() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 3000, 1);
        String booking = hold(tenant, slot, 1);
        superuser("update booking.bookings set status = 'expired' where id = ?", booking);
        String other = hold(tenant, slot, 1);
        assertEquals("payment_after_expired", awaitOutcome(publish(tenant, "payment.succeeded", booking, 3000, UUID.randomUUID().toString())));
        assertEquals("expired", status(booking));
        assertEquals("held", status(other));
        assertEquals(List.of("booking.created", "booking.payment_unneeded"), outboxTypes(booking));
    }

    @Test
    void aPaymentOfTheWrongAmountOrForAnotherTenantConfirmsNothing() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        TestTenancy.Tenant other = TestTenancy.newTenant(0);
        String slot = Api.publishedSlot(tenant.ownerToken(), 3000, 5);
        String booking = hold(tenant, slot, 1);
        assertEquals("amount_mismatch", awaitOutcome(publish(tenant, "payment.succeeded", booking, 1, UUID.randomUUID().toString())));
        assertEquals("unknown_booking", awaitOutcome(publish(other, "payment.succeeded", booking, 3000, UUID.randomUUID().toString())));
        assertEquals("held", status(booking));
    }

    private static String awaitOutcome(String eventId) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                    PreparedStatement st = c.prepareStatement("select outcome from booking.processed_events where event_id = ?")) {
                st.setString(1, eventId);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        return rs.getString(1);
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("event " + eventId + " was not processed");
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

    private static List<String> outboxTypes(String booking) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select type from booking.outbox where subject = ? order by seq")) {
            st.setString(1, booking);
            List<String> types = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    types.add(rs.getString(1));
                }
            }
            return types;
        }
    }

    private static void superuser(String sql, String id) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setObject(1, UUID.fromString(id));
            st.executeUpdate();
        }
    }
}
