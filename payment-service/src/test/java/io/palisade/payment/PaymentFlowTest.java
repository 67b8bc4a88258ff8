package io.palisade.payment;

import static io.palisade.payment.PaymentApi.STRIPE;
import static io.palisade.payment.PaymentApi.await;
import static io.palisade.payment.PaymentApi.count;
import static io.palisade.payment.PaymentApi.outbox;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.stripe.StripeFake;
import io.palisade.devstack.testing.Metrics;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Hold → pay → webhook → payment.succeeded, with the Stripe fake in Stripe's place and booking-service's events
 * published on the real broker: the amount is the booking's, a retried checkout reuses its intent, a client
 * cannot confirm anything, and only verified, deduplicated webhooks move a payment.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class PaymentFlowTest {

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void aGuestPaysTheBookingsAmountAndOnlyTheVerifiedWebhookConfirmsIt() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        UUID booking = UUID.randomUUID();
        String token = PaymentApi.heldBooking(tokens, tenant, booking, 9000);

        String secret = given().header("X-Guest-Token", token).contentType(ContentType.JSON).body(Map.of("amountMinor", 1))
                .post("/guest/payment").then().statusCode(200).body("amountMinor", equalTo(9000)).body("currency", equalTo("EUR"))
                .body("publishableKey", equalTo("pk_test_palisade_platform")).extract().path("clientSecret");
        String again = given().header("X-Guest-Token", token).post("/guest/payment").then().statusCode(200).extract().path("clientSecret");
        assertEquals(secret, again, "a retried checkout returns the same PaymentIntent");
        String intent = secret.substring(0, secret.indexOf("_secret_"));
        String account = PaymentApi.account(tenant);
        assertEquals(1, STRIPE.paymentIntentsOf(account).size());
        Map<String, Object> pi = STRIPE.paymentIntent(intent);
        assertEquals(9000L, ((Number) pi.get("amount")).longValue());
        assertEquals(270L, ((Number) pi.get("application_fee_amount")).longValue(), "3 % application fee");
        assertEquals(booking.toString(), ((Map<?, ?>) pi.get("metadata")).get("booking_id"));

        assertEquals(0, outbox(tenant, "payment.succeeded"), "nothing is confirmed before Stripe says so");
        double counted = Metrics.counter(given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), "palisade_payments_stripe_events_total", "outcome", "succeeded");
        PaymentApi.confirmAtStripe(account, intent, "pm_card_visa", 200);
        await(() -> outbox(tenant, "payment.succeeded") == 1, "payment.succeeded is emitted");
        given().header("X-Guest-Token", token).post("/guest/payment").then().statusCode(409);
        assertEquals(counted + 1, Metrics.counter(given().port(Metrics.TEST_MANAGEMENT_PORT).get("/q/metrics").asString(), "palisade_payments_stripe_events_total", "outcome",
                "succeeded"), "the payments metric counts it");
        Map<String, Object> succeeded = TestEvents.await("palisade.payment.events", tenant.id().toString(), "payment.succeeded");
        assertEquals("/payment-service", succeeded.get("source"), "read by the CloudEvents SDK, as any internal consumer may");
        assertEquals(booking.toString(), ((Map<?, ?>) succeeded.get("data")).get("bookingId"));
    }

    @Test
    void aDeclinedCardLeavesThePaymentOpenAndTellsBookingService() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String token = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 3100);
        String intent = PaymentApi.checkout(token);
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_chargeDeclined", 402);
        await(() -> outbox(tenant, "payment.failed") == 1, "payment.failed is emitted");
        assertEquals(0, outbox(tenant, "payment.succeeded"));
        assertEquals(intent, PaymentApi.checkout(token), "the guest may try another card on the same intent");
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_visa", 200);
        await(() -> outbox(tenant, "payment.succeeded") == 1, "then it succeeds");
    }

    @Test
    void everyEventDeliveredThreeTimesInShuffledOrderConfirmsOnce() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String intent = PaymentApi.checkout(PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 4200));

        STRIPE.pauseWebhooks();
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_visa", 200);
        List<StripeFake.SentEvent> held = STRIPE.releasePausedWebhooks();
        List<StripeFake.SentEvent> deliveries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            deliveries.addAll(held);
        }
        Collections.shuffle(deliveries);
        for (StripeFake.SentEvent event : deliveries) {
            assertEquals(200, STRIPE.deliver(event));
        }
        await(() -> outbox(tenant, "payment.succeeded") == 1, "one confirmation");
        Thread.sleep(1000);
        assertEquals(1, outbox(tenant, "payment.succeeded"), "exactly one confirmation for three deliveries of each event");
        for (StripeFake.SentEvent event : held) {
            assertEquals(1, count("select count(*) from payment.stripe_events where event_id = '" + event.id() + "'"), "stored once: " + event.type());
        }
    }

    @Test
    void aPaymentStripeRefusesToCreateIsAClearAnswerAndLeavesNothingOpen() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        UUID booking = UUID.randomUUID();
        String token = PaymentApi.heldBookingUnchecked(tokens, tenant, booking, 30);
        await(() -> given().header("X-Guest-Token", token).post("/guest/payment").statusCode() == 422, "below Stripe's minimum charge");
        assertEquals(0, count("select count(*) from payment.payments where booking_id = '" + booking + "' and status <> 'canceled'"),
                "the refused attempt is closed");
    }

    @Test
    void aSignedEventOfAnUnexpectedShapeIsABadRequestNotAServerError() {
        long now = Instant.now().getEpochSecond();
        String body = "{\"id\":42,\"type\":[\"x\"],\"data\":\"none\"}";
        assertEquals(400, STRIPE.deliver(body, now, PaymentServiceStack.WEBHOOK_SECRET));
        assertEquals(400, STRIPE.deliver("not json", now, PaymentServiceStack.WEBHOOK_SECRET));
    }

    @Test
    void badSignaturesAndStaleTimestampsAreRefusedBeforeAnythingIsStored() throws Exception {
        String id = "evt_forged_" + UUID.randomUUID().toString().replace("-", "");
        String body = "{\"id\":\"" + id + "\",\"type\":\"payment_intent.succeeded\","
                + "\"account\":\"acct_x\",\"data\":{\"object\":{\"id\":\"pi_x\"}}}";
        long now = Instant.now().getEpochSecond();
        String stored = "select count(*) from payment.stripe_events where event_id = '" + id + "'";
        assertEquals(400, STRIPE.deliver(body, now, "whsec_not_ours"));
        assertEquals(400, STRIPE.deliver(body, now - 301, PaymentServiceStack.WEBHOOK_SECRET), "older than the 5-minute tolerance");
        assertEquals(400, STRIPE.post(body, null));
        assertEquals(400, STRIPE.post(body, StripeFake.signatureHeader(body, now, PaymentServiceStack.WEBHOOK_SECRET).replace("v1=", "v1=0")));
        String altered = body.replace("pi_x", "pi_y");
        assertEquals(400, STRIPE.post(altered, StripeFake.signatureHeader(body, now, PaymentServiceStack.WEBHOOK_SECRET)));
        assertEquals(0, count(stored));
        assertEquals(200, STRIPE.deliver(body, now - 60, PaymentServiceStack.OLD_WEBHOOK_SECRET), "the previous secret verifies during rotation");
        assertEquals(1, count(stored));
    }
}
