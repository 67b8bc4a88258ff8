package io.palisade.payment;

import static io.palisade.payment.PaymentApi.await;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The whole paid path over the real broker, with booking-service running beside payment-service (from its build
 * output): a guest holds seats in booking-service, pays through payment-service and Stripe, Stripe's webhook
 * makes payment-service emit payment.succeeded, and booking-service confirms the booking from that event.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class EndToEndTest {

    private static PalisadeTestStack.RunningService bookingService;

    @BeforeAll
    static void startBookingService() throws Exception {
        bookingService = PalisadeTestStack.get().startService(ServiceSpec.named("booking-service"),
                Map.of("palisade.mail.directory", TestDirectories.create("e2e-mail").toString()));
    }

    @AfterAll
    static void stopBookingService() {
        bookingService.close();
    }

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void holdPayWebhookPaymentSucceededConfirmsTheBooking() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String booking = bookingService.baseUrl();
        String offering = given().baseUri(booking).port(-1).header("Authorization", "Bearer " + tenant.ownerToken()).contentType("application/json")
                .body(Map.of("name", "Night dive", "priceMinor", 6500, "currency", "EUR", "durationMinutes", 120, "published", true))
                .post("/offerings").then().statusCode(201).extract().path("id");
        String slot = given().baseUri(booking).port(-1).header("Authorization", "Bearer " + tenant.ownerToken()).contentType("application/json")
                .body(Map.of("startsAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).withNano(0).toString(), "capacity", 8))
                .post("/offerings/" + offering + "/slots").then().statusCode(201).extract().path("id");
        Response hold = given().baseUri(booking).port(-1).contentType("application/json")
                .body(Map.of("slotId", slot, "seats", 2, "guest", Map.of("name", "Eve End", "email", "eve-" + java.util.UUID.randomUUID() + "@example.net")))
                .post("/public/" + tenant.slug() + "/holds");
        assertEquals(201, hold.statusCode(), hold.asString());
        String paymentToken = hold.path("paymentToken");
        String manageToken = hold.path("manageToken");

        await(() -> given().header("X-Guest-Token", paymentToken).post("/guest/payment").statusCode() == 200,
                "booking.created reaches payment-service over Kafka");
        String intent = PaymentApi.checkout(paymentToken);
        assertEquals(13000L, ((Number) PaymentApi.STRIPE.paymentIntent(intent).get("amount")).longValue(), "2 × 65.00 EUR, priced by booking-service");
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_visa", 200);

        await(() -> "confirmed".equals(given().baseUri(booking).port(-1).header("X-Guest-Token", manageToken).get("/guest/booking").then()
                .extract().path("status")), "payment.succeeded reaches booking-service, which confirms the booking");
    }
}
