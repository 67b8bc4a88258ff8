package io.palisade.payment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.stripe.StripeFake;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * Hold → pay → webhook → payment.succeeded, with the Stripe fake in Stripe's place and booking-service's events
 * published on the real broker: the amount is the booking's, a retried checkout reuses its intent, a client
 * cannot confirm anything, and only verified, deduplicated webhooks move a payment.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class PaymentFlowTest {

    private static final StripeFake STRIPE = PaymentServiceStack.STRIPE;

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooksToThisService() {
        STRIPE.sendWebhooksTo("http://127.0.0.1:" + RestAssured.port + "/stripe/webhooks", PaymentServiceStack.WEBHOOK_SECRET);
    }

    /** A tenant whose Stripe account finished onboarding. */
    private static TestTenancy.Tenant connectedTenant() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String url = given().header("Authorization", "Bearer " + tenant.ownerToken()).post("/stripe/connect").then().statusCode(200)
                .body("stripeAccountId", startsWith("acct_")).extract().path("onboardingUrl");
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
        await(() -> given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/stripe/connect").then().extract()
                .path("chargesEnabled") == Boolean.TRUE, "the account.updated webhook enables charges");
        return tenant;
    }

    /** booking-service announces a paid hold; returns the guest's payment token. */
    private String heldBooking(TestTenancy.Tenant tenant, UUID bookingId, long amount) throws Exception {
        String reference = UUID.randomUUID().toString().replace("-", "");
        TestEvents.publish("palisade.booking.events", "/booking-service", tenant.id(), "booking.created", bookingId.toString(),
                Map.of("bookingId", bookingId.toString(), "reference", reference, "status", "held", "amountMinor", amount, "currency", "EUR",
                        "seats", 2, "holdExpiresAt", Instant.now().plusSeconds(900).toString()), UUID.randomUUID().toString());
        String token = tokens.issue(GuestTokens.Domain.PAYMENT, tenant.id(), reference);
        await(() -> given().header("X-Guest-Token", token).post("/guest/payment").statusCode() == 200, "the booking becomes payable");
        return token;
    }

    @Test
    void aGuestPaysTheBookingsAmountAndOnlyTheVerifiedWebhookConfirmsIt() throws Exception {
        TestTenancy.Tenant tenant = connectedTenant();
        UUID booking = UUID.randomUUID();
        String token = heldBooking(tenant, booking, 9000);

        String secret = given().header("X-Guest-Token", token).contentType(ContentType.JSON).body(Map.of("amountMinor", 1))
                .post("/guest/payment").then().statusCode(200).body("amountMinor", equalTo(9000)).body("currency", equalTo("EUR"))
                .body("publishableKey", equalTo("pk_test_palisade_platform")).extract().path("clientSecret");
        String again = given().header("X-Guest-Token", token).post("/guest/payment").then().statusCode(200).extract().path("clientSecret");
        assertEquals(secret, again, "a retried checkout returns the same PaymentIntent");
        String intent = secret.substring(0, secret.indexOf("_secret_"));
        String account = given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/stripe/connect").then().extract().path("stripeAccountId");
        assertEquals(1, STRIPE.paymentIntentsOf(account).size());
        Map<String, Object> pi = STRIPE.paymentIntent(intent);
        assertEquals(9000L, ((Number) pi.get("amount")).longValue());
        assertEquals(270L, ((Number) pi.get("application_fee_amount")).longValue(), "3 % application fee");
        assertEquals(booking.toString(), ((Map<?, ?>) pi.get("metadata")).get("booking_id"));

        assertEquals(0, outbox(tenant, "payment.succeeded"), "nothing is confirmed before Stripe says so");
        confirmAtStripe(account, intent, "pm_card_visa");
        await(() -> outbox(tenant, "payment.succeeded") == 1, "payment.succeeded is emitted");
        given().header("X-Guest-Token", token).post("/guest/payment").then().statusCode(409);
    }

    @Test
    void everyEventDeliveredThreeTimesInShuffledOrderConfirmsOnce() throws Exception {
        TestTenancy.Tenant tenant = connectedTenant();
        String token = heldBooking(tenant, UUID.randomUUID(), 4200);
        String secret = given().header("X-Guest-Token", token).post("/guest/payment").then().statusCode(200).extract().path("clientSecret");
        String intent = secret.substring(0, secret.indexOf("_secret_"));
        String account = given().header("Authorization", "Bearer " + tenant.ownerToken()).get("/stripe/connect").then().extract().path("stripeAccountId");

        STRIPE.pauseWebhooks();
        confirmAtStripe(account, intent, "pm_card_visa");
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
    void badSignaturesAndStaleTimestampsAreRefusedBeforeAnythingIsStored() throws Exception {
        String body = "{\"id\":\"evt_forged_" + UUID.randomUUID().toString().replace("-", "") + "\",\"type\":\"payment_intent.succeeded\","
                + "\"account\":\"acct_x\",\"data\":{\"object\":{\"id\":\"pi_x\"}}}";
        long now = Instant.now().getEpochSecond();
        assertEquals(400, STRIPE.deliver(body, now, "whsec_not_ours"));
        assertEquals(400, STRIPE.deliver(body, now - 301, PaymentServiceStack.WEBHOOK_SECRET), "older than the 5-minute tolerance");
        assertEquals(400, STRIPE.post(body, null));
        assertEquals(400, STRIPE.post(body, StripeFake.signatureHeader(body, now, PaymentServiceStack.WEBHOOK_SECRET).replace("v1=", "v1=0")));
        String altered = body.replace("pi_x", "pi_y");
        assertEquals(400, STRIPE.post(altered, StripeFake.signatureHeader(body, now, PaymentServiceStack.WEBHOOK_SECRET)));
        assertEquals(0, storedEvent(body));
        assertEquals(200, STRIPE.deliver(body, now - 60, PaymentServiceStack.OLD_WEBHOOK_SECRET), "the previous secret verifies during rotation");
        assertEquals(1, storedEvent(body));
    }

    private static void confirmAtStripe(String account, String intent, String paymentMethod) {
        given().baseUri(STRIPE.apiBase()).port(-1).header("Authorization", "Bearer sk_test_guest_browser").header("Stripe-Account", account)
                .contentType("application/x-www-form-urlencoded").formParam("payment_method", paymentMethod)
                .post("/v1/payment_intents/" + intent + "/confirm").then().statusCode(200);
    }

    private static long outbox(TestTenancy.Tenant tenant, String type) {
        return count("select count(*) from payment.outbox where tenant_id = '" + tenant.id() + "' and type = '" + type + "'");
    }

    private static long storedEvent(String body) {
        String id = body.substring(body.indexOf("evt_"), body.indexOf("\",\"type\""));
        return count("select count(*) from payment.stripe_events where event_id = '" + id + "'");
    }

    private static long count(String sql) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
