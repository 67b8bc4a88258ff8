package io.palisade.payment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.events.EventType;
import io.palisade.common.events.BookingContract;
import io.palisade.devstack.stripe.StripeFake;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestEvents;
import io.palisade.devstack.testing.TestTenancy;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Drives payment-service as the staff app, the guest's browser, Stripe and booking-service would. */
public final class PaymentApi {

    public static final StripeFake STRIPE = PaymentServiceStack.STRIPE;

    private PaymentApi() {
    }

    public static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json");
    }

    public static void webhooksToThisService() {
        STRIPE.sendWebhooksTo("http://127.0.0.1:" + RestAssured.port + "/stripe/webhooks", PaymentServiceStack.WEBHOOK_SECRET);
    }

    /** A tenant whose Stripe account finished onboarding. */
    public static TestTenancy.Tenant connectedTenant(long staffPermissions) throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(staffPermissions);
        String url = bearer(tenant.ownerToken()).post("/stripe/connect").then().statusCode(200)
                .body("stripeAccountId", startsWith("acct_")).extract().path("onboardingUrl");
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
        await(() -> bearer(tenant.ownerToken()).get("/stripe/connect").then().extract().path("chargesEnabled") == Boolean.TRUE,
                "the account.updated webhook enables charges");
        return tenant;
    }

    public static String account(TestTenancy.Tenant tenant) {
        return bearer(tenant.ownerToken()).get("/stripe/connect").then().statusCode(200).extract().path("stripeAccountId");
    }

    /** booking-service announces a paid hold; returns the guest's payment token once the booking can be paid. */
    public static String heldBooking(GuestTokens tokens, TestTenancy.Tenant tenant, UUID bookingId, long amount) throws Exception {
        String token = heldBookingUnchecked(tokens, tenant, bookingId, amount);
        await(() -> given().header("X-Guest-Token", token).post("/guest/payment").statusCode() == 200, "the booking becomes payable");
        return token;
    }

    /** booking-service announces a paid hold; returns the payment token without waiting for the checkout to open. */
    public static String heldBookingUnchecked(GuestTokens tokens, TestTenancy.Tenant tenant, UUID bookingId, long amount) {
        String reference = UUID.randomUUID().toString().replace("-", "");
        bookingEvent(tenant, BookingContract.CREATED, new BookingContract.BookingCreated(bookingId, reference, UUID.randomUUID(), 1, "held", amount,
                "EUR", java.time.OffsetDateTime.now().plusSeconds(900)));
        return tokens.issue(GuestTokens.Domain.PAYMENT, tenant.id(), reference);
    }

    /** An event as booking-service publishes it: the type's record in the contract. */
    public static <T extends BookingContract.OfABooking> void bookingEvent(TestTenancy.Tenant tenant, EventType<T> type, T data) {
        TestEvents.publish(type.topic(), "/booking-service", tenant.id(), type.type(), data.bookingId().toString(), type.write(data).getMap(),
                UUID.randomUUID().toString());
    }

    /** The PaymentIntent id behind a checkout's client secret. */
    public static String checkout(String paymentToken) {
        String secret = given().header("X-Guest-Token", paymentToken).post("/guest/payment").then().statusCode(200).extract().path("clientSecret");
        return secret.substring(0, secret.indexOf("_secret_"));
    }

    /** What Stripe.js does in the guest's browser: confirms the intent with a test card. */
    public static void confirmAtStripe(String account, String intent, String paymentMethod, int expectedStatus) {
        given().baseUri(STRIPE.apiBase()).port(-1).header("Authorization", "Bearer sk_test_guest_browser").header("Stripe-Account", account)
                .contentType("application/x-www-form-urlencoded").formParam("payment_method", paymentMethod)
                .post("/v1/payment_intents/" + intent + "/confirm").then().statusCode(expectedStatus);
    }

    /** A payment that succeeded (webhook processed); returns its id. */
    public static String paidBooking(GuestTokens tokens, TestTenancy.Tenant tenant, UUID booking, long amount) throws Exception {
        String intent = checkout(heldBooking(tokens, tenant, booking, amount));
        confirmAtStripe(account(tenant), intent, "pm_card_visa", 200);
        await(() -> "succeeded".equals(bearer(tenant.ownerToken()).queryParam("bookingId", booking.toString()).get("/payments").then()
                .extract().path("items[0].status")), "the payment succeeds");
        return bearer(tenant.ownerToken()).queryParam("bookingId", booking.toString()).get("/payments").then().extract().path("items[0].id");
    }

    public static long outbox(TestTenancy.Tenant tenant, String type) {
        return count("select count(*) from payment.outbox where tenant_id = '" + tenant.id() + "' and type = '" + type + "'");
    }

    public static long count(String sql) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(String sql) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
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
