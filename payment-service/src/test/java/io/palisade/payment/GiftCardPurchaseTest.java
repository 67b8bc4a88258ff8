package io.palisade.payment;

import static io.palisade.payment.PaymentApi.STRIPE;
import static io.palisade.payment.PaymentApi.await;
import static io.palisade.payment.PaymentApi.bearer;
import static io.palisade.payment.PaymentApi.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.devstack.stripe.StripeFake;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** A guest buys a gift card: paid through Stripe, issued once by the webhook, the code mailed to the buyer only. */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class GiftCardPurchaseTest {

    private static final Pattern CODE = Pattern.compile("Code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})");

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    @Test
    void aBoughtCardIsIssuedOnceAndItsCodeReachesOnlyTheBuyer() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String buyer = "gift-buyer-" + UUID.randomUUID() + "@example.org";
        String secret = given().contentType("application/json").header("X-Forwarded-For", "192.0.2.200")
                .body(Map.of("amountMinor", 2500, "currency", "EUR", "buyerEmail", buyer)).post("/public/" + tenant.slug() + "/gift-cards")
                .then().statusCode(200).body("amountMinor", equalTo(2500)).extract().path("clientSecret");
        String intent = secret.substring(0, secret.indexOf("_secret_"));
        assertEquals(0, count("select count(*) from payment.gift_card_purchases p where strpos(p::text, '" + buyer + "') > 0"),
                "the buyer's email is sealed");

        STRIPE.pauseWebhooks();
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), intent, "pm_card_visa", 200);
        List<StripeFake.SentEvent> events = STRIPE.releasePausedWebhooks();
        for (int i = 0; i < 2; i++) {
            for (StripeFake.SentEvent event : events) {
                STRIPE.deliver(event);
            }
        }
        await(() -> mailsTo(buyer).size() == 1, "the code is mailed to the buyer");
        Thread.sleep(1500);
        assertEquals(1, mailsTo(buyer).size(), "one card, one mail, whatever the deliveries");
        Matcher code = CODE.matcher(mailsTo(buyer).get(0).getString("text"));
        assertTrue(code.find());
        bearer(tenant.ownerToken()).get("/gift-cards").then().body("items.size()", equalTo(1)).body("items[0].balanceMinor", equalTo(2500));
        assertEquals(1, count("select count(*) from payment.outbox where tenant_id = '" + tenant.id() + "' and type = 'gift_card.purchased'"));

        String token = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 2000);
        given().header("X-Guest-Token", token).header("X-Forwarded-For", "192.0.2.201").contentType("application/json")
                .body(Map.of("code", code.group(1))).post("/guest/payment/gift-card").then().statusCode(200).body("paid", equalTo(true));
    }

    @Test
    void aTenantWithoutStripeSellsNoGiftCardsAndBadInputIsRefused() {
        TestTenancy.Tenant unconnected = TestTenancy.newTenant(0);
        given().contentType("application/json").body(Map.of("amountMinor", 2500, "currency", "EUR", "buyerEmail", "x@example.org"))
                .post("/public/" + unconnected.slug() + "/gift-cards").then().statusCode(409);
        given().contentType("application/json").body(Map.of("amountMinor", 10, "currency", "EUR", "buyerEmail", "x@example.org"))
                .post("/public/" + unconnected.slug() + "/gift-cards").then().statusCode(400);
        given().contentType("application/json").body(Map.of("amountMinor", 2500, "currency", "EUR", "buyerEmail", "x@example.org"))
                .post("/public/no-such-shop-" + UUID.randomUUID().toString().substring(0, 8) + "/gift-cards").then().statusCode(404);
    }

    private static List<JsonObject> mailsTo(String to) {
        try (Stream<Path> files = Files.list(PaymentServiceStack.MAIL)) {
            return files.filter(f -> f.toString().endsWith(".json")).map(f -> {
                try {
                    return new JsonObject(Files.readString(f));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).filter(m -> to.equals(m.getString("to"))).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
