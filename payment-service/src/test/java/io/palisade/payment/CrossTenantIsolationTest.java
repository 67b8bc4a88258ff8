package io.palisade.payment;

import static io.palisade.payment.PaymentApi.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.testing.OpenApiOperations;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tenant B, with valid tokens of its own, against every endpoint of payment-service and tenant A's objects.
 * The endpoint list comes from the OpenAPI document: an endpoint added without a probe fails this test.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class CrossTenantIsolationTest {

    /**
     * The guest's checkout and gift card redemption (tenant and booking come from a verified payment token:
     * GuestPaymentTokensTest; a code is looked up within that tenant only, see aGiftCardCodeOfANeverPaysB), the public
     * gift card shop (the tenant is the slug's; the card is issued to that tenant only by the verified webhook) and
     * Stripe's webhook intake (the tenant is the one whose connected account a signed event names).
     */
    private static final Set<String> PUBLIC = Set.of("POST /guest/payment", "POST /guest/payment/gift-card", "POST /stripe/webhooks",
            "POST /public/{tenant}/gift-cards");

    static TestTenancy.Tenant a;
    static TestTenancy.Tenant b;
    static String aAccount;
    static String aPayment;
    static String aGiftCard;
    static String aGiftCardCode;

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void tenants() throws Exception {
        PaymentApi.webhooksToThisService();
        if (a != null) {
            return;
        }
        a = PaymentApi.connectedTenant(0);
        b = TestTenancy.newTenant(0);
        aAccount = PaymentApi.account(a);
        aPayment = PaymentApi.paidBooking(tokens, a, UUID.randomUUID(), 7000);
        io.restassured.response.Response card = bearer(a.ownerToken()).body(Map.of("amountMinor", 5000, "currency", "EUR")).post("/gift-cards");
        aGiftCard = card.path("id");
        aGiftCardCode = card.path("code");
    }

    private final Map<String, Consumer<String>> probes = Map.ofEntries(
            Map.entry("GET /stripe/connect", token -> {
                io.restassured.response.Response connection = bearer(token).get("/stripe/connect");
                assertTrue(connection.statusCode() == 404 || !aAccount.equals(connection.path("stripeAccountId")), "B saw A's account");
            }),
            Map.entry("POST /stripe/connect", token -> {
                String bAccount = bearer(token).post("/stripe/connect").then().statusCode(200).extract().path("stripeAccountId");
                assertNotEquals(aAccount, bAccount);
                assertEquals(aAccount, PaymentApi.account(a));
            }),
            Map.entry("GET /gift-cards", token -> bearer(token).get("/gift-cards").then().statusCode(200).body("items.id", not(hasItem(aGiftCard)))),
            Map.entry("GET /gift-cards/{id}", token -> bearer(token).get("/gift-cards/" + aGiftCard).then().statusCode(404)),
            Map.entry("POST /gift-cards", token -> {
                bearer(token).body(Map.of("amountMinor", 100, "currency", "EUR")).post("/gift-cards").then().statusCode(201);
                bearer(a.ownerToken()).get("/gift-cards").then().body("items.size()", equalTo(1));
            }),
            Map.entry("GET /payments", token -> bearer(token).get("/payments").then().statusCode(200).body("items.id", not(hasItem(aPayment)))),
            Map.entry("GET /payments/{id}", token -> bearer(token).get("/payments/" + aPayment).then().statusCode(404)),
            Map.entry("POST /payments/{id}/refunds", token -> {
                bearer(token).body(Map.of("amountMinor", 100, "reason", "B tries")).post("/payments/" + aPayment + "/refunds").then().statusCode(404);
                bearer(a.ownerToken()).get("/payments/" + aPayment).then().body("refunds.size()", equalTo(0));
            }));

    @Test
    void everyEndpointIsEitherProbedOrPublic() {
        OpenApiOperations.Coverage coverage = OpenApiOperations.coverage("http://localhost:" + io.restassured.RestAssured.port, probes.keySet(),
                PUBLIC);
        assertEquals(Set.of(), coverage.unprobed(), "endpoints without a cross-tenant probe");
        assertEquals(Set.of(), coverage.stale(), "probes or exemptions for endpoints that no longer exist");
    }

    @Test
    void tenantBSeesAndChangesNothingOfTenantA() {
        String ownerB = b.ownerToken();
        probes.forEach((operation, probe) -> probe.accept(ownerB));
    }

    @Test
    void aGiftCardCodeOfANeverPaysB() throws Exception {
        TestTenancy.Tenant connectedB = PaymentApi.connectedTenant(0);
        String bToken = PaymentApi.heldBooking(tokens, connectedB, UUID.randomUUID(), 1000);
        io.restassured.RestAssured.given().header("X-Guest-Token", bToken).header("X-Forwarded-For", "203.0.113.77").contentType("application/json")
                .body(Map.of("code", aGiftCardCode)).post("/guest/payment/gift-card").then().statusCode(404);
        bearer(a.ownerToken()).get("/gift-cards/" + aGiftCard).then().body("giftCard.balanceMinor", equalTo(5000));
    }

    @Test
    void aPaymentTokenOfBNeverReachesABooking() throws Exception {
        String aReference = PaymentApi.text("select reference from payment.bookings b join payment.payments p"
                + " on p.tenant_id = b.tenant_id and p.booking_id = b.booking_id where p.id = '" + aPayment + "'");
        String forB = tokens.issue(GuestTokens.Domain.PAYMENT, b.id(), aReference);
        io.restassured.RestAssured.given().header("X-Guest-Token", forB).post("/guest/payment").then().statusCode(409);
    }
}
