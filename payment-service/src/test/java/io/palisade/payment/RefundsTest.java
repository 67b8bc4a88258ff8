package io.palisade.payment;

import static io.palisade.payment.PaymentApi.STRIPE;
import static io.palisade.payment.PaymentApi.await;
import static io.palisade.payment.PaymentApi.bearer;
import static io.palisade.payment.PaymentApi.bookingEvent;
import static io.palisade.payment.PaymentApi.count;
import static io.palisade.payment.PaymentApi.paidBooking;
import static io.palisade.payment.PaymentApi.text;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.events.BookingContract;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Refunds: only with the REFUNDS permission, never more than is left, audited with who, how much and why, and
 * counted only when Stripe's webhook confirms them. A payment that arrives after its hold ended is refunded by
 * itself, and an ended hold's PaymentIntent is cancelled.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class RefundsTest {

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void staffNeedTheRefundPermissionAndCannotRefundMoreThanIsLeft() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(Permission.BOOKINGS_READ.bit());
        String payment = paidBooking(tokens, tenant, UUID.randomUUID(), 9000);

        bearer(tenant.staffToken()).body(Map.of("amountMinor", 1000, "reason", "goodwill")).post("/payments/" + payment + "/refunds")
                .then().statusCode(403);
        bearer(tenant.ownerToken()).body(Map.of("amountMinor", 9001, "reason", "too much")).post("/payments/" + payment + "/refunds")
                .then().statusCode(422);
        bearer(tenant.ownerToken()).body(Map.of("amountMinor", 0, "reason", "nothing")).post("/payments/" + payment + "/refunds")
                .then().statusCode(400);
        assertEquals(0, count("select count(*) from payment.refunds where payment_id = '" + payment + "'"), "refusals write nothing");

        bearer(tenant.ownerToken()).body(Map.of("amountMinor", 3000, "reason", "rain on the day")).post("/payments/" + payment + "/refunds")
                .then().statusCode(202).body("amountMinor", equalTo(3000));
        await(() -> Integer.valueOf(3000).equals(bearer(tenant.ownerToken()).get("/payments/" + payment).then().extract()
                .path("payment.refundedMinor")), "Stripe's webhook records the refund");
        bearer(tenant.ownerToken()).get("/payments/" + payment).then().body("refunds[0].status", equalTo("succeeded"))
                .body("refunds[0].reason", equalTo("rain on the day"));
        String audit = text("select data::text from payment.outbox where stream = 'audit' and type = 'payment.refund_requested'"
                + " and subject = '" + payment + "'");
        assertTrue(audit.contains("rain on the day") && audit.contains("3000") && audit.contains(tenant.ownerId().toString()),
                "the audit event names who, how much and why: " + audit);

        bearer(tenant.ownerToken()).body(Map.of("amountMinor", 6001, "reason", "rest")).post("/payments/" + payment + "/refunds")
                .then().statusCode(422);
        bearer(tenant.ownerToken()).body(Map.of("amountMinor", 6000, "reason", "rest")).post("/payments/" + payment + "/refunds")
                .then().statusCode(202);
        await(() -> count("select count(*) from payment.outbox where type = 'payment.refunded' and subject in"
                + " (select booking_id::text from payment.payments where id = '" + payment + "') and (data->>'amountMinor')::bigint = 9000") == 1,
                "payment.refunded carries the cumulative amount, so booking-service sees the full refund");
    }

    @Test
    void aPaymentThatArrivesAfterTheHoldEndedIsRefundedAndFlagged() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        UUID booking = UUID.randomUUID();
        String payment = paidBooking(tokens, tenant, booking, 5000);
        bookingEvent(tenant, BookingContract.PAYMENT_UNNEEDED, new BookingContract.BookingSettled(booking, "payment_after_expired", 5000, "EUR",
                UUID.randomUUID().toString()));
        await(() -> Integer.valueOf(5000).equals(bearer(tenant.ownerToken()).get("/payments/" + payment).then().extract()
                .path("payment.refundedMinor")), "the late payment is refunded in full");
        bearer(tenant.ownerToken()).get("/payments/" + payment).then().body("payment.flag", equalTo("paid_after_booking_ended"))
                .body("refunds.size()", equalTo(1));
        bookingEvent(tenant, BookingContract.PAYMENT_UNNEEDED, new BookingContract.BookingSettled(booking, "payment_after_expired", 5000, "EUR",
                UUID.randomUUID().toString()));
        Thread.sleep(1500);
        bearer(tenant.ownerToken()).get("/payments/" + payment).then().body("refunds.size()", equalTo(1));
    }

    @Test
    void anEndedHoldsPaymentIntentIsCancelledAtStripe() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        UUID booking = UUID.randomUUID();
        String intent = PaymentApi.checkout(PaymentApi.heldBooking(tokens, tenant, booking, 2500));
        bookingEvent(tenant, BookingContract.EXPIRED, new BookingContract.BookingExpired(booking, 2500, "EUR"));
        await(() -> "canceled".equals(STRIPE.paymentIntent(intent).get("status")), "the intent is cancelled at Stripe");
        await(() -> "canceled".equals(bearer(tenant.ownerToken()).queryParam("bookingId", booking.toString()).get("/payments").then()
                .extract().path("items[0].status")), "and the payment too, once the webhook says so");
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_visa", 400);
    }
}
