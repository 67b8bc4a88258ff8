package io.palisade.payment;

import static io.palisade.payment.PaymentApi.await;
import static io.palisade.payment.PaymentApi.bearer;
import static io.palisade.payment.PaymentApi.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.events.BookingContract;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestTenancy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Gift cards: the code is shown once and stored only as a hash; the balance is an append-only ledger the database
 * keeps from going negative; guests pay bookings with them, wholly or partly; guessing and inhuman speed are
 * blocked and audited.
 */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class GiftCardsTest {

    @Inject
    GuestTokens tokens;

    @BeforeEach
    void webhooks() {
        PaymentApi.webhooksToThisService();
    }

    private static Response issue(TestTenancy.Tenant tenant, long amount) {
        return bearer(tenant.ownerToken()).body(Map.of("amountMinor", amount, "currency", "EUR", "note", "voucher")).post("/gift-cards");
    }

    private static Response redeem(String paymentToken, String code, String client) {
        return given().header("X-Guest-Token", paymentToken).header("X-Forwarded-For", client).contentType("application/json")
                .body(Map.of("code", code)).post("/guest/payment/gift-card");
    }

    private static final java.util.concurrent.atomic.AtomicInteger CLIENTS = new java.util.concurrent.atomic.AtomicInteger();

    /** A client address no other call of this class was given: a repeat (one in 250 when drawn at random) is "too fast". */
    private static String client() {
        return "198.51.100." + (1 + CLIENTS.getAndIncrement() % 250);
    }

    @Test
    void theCodeIsShownOnceAndKeptOnlyAsAHash() {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(Permission.BOOKINGS_READ.bit());
        Response issued = issue(tenant, 5000);
        issued.then().statusCode(201).body("balanceMinor", equalTo(5000)).body("code", notNullValue());
        String code = issued.path("code");
        String id = issued.path("id");
        bearer(tenant.ownerToken()).get("/gift-cards/" + id).then().statusCode(200).body("giftCard.code", nullValue())
                .body("giftCard.codeHint", equalTo(code.substring(code.length() - 4))).body("giftCard.balanceMinor", equalTo(5000))
                .body("ledger[0].kind", equalTo("credit"));
        assertEquals(0, count("select count(*) from payment.gift_cards g where strpos(g::text, '" + code + "') > 0"
                + " or strpos(g::text, '" + code.replace("-", "") + "') > 0"), "the code is stored nowhere");
        assertEquals(0, count("select count(*) from payment.outbox o where strpos(o.data::text, '" + code.replace("-", "").substring(0, 12) + "') > 0"),
                "nor in any event");
        bearer(tenant.staffToken()).body(Map.of("amountMinor", 100, "currency", "EUR")).post("/gift-cards").then().statusCode(403);
        bearer(tenant.staffToken()).get("/gift-cards").then().statusCode(403);
    }

    @Test
    void theLedgerIsAppendOnlyEvenForTheSchemaOwner() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String id = issue(tenant, 2000).then().statusCode(201).extract().path("id");
        for (String role : new String[] { "payment_owner", "payment_service" }) {
            try (Connection c = PalisadeTestStack.get().connectAs(role); Statement st = c.createStatement()) {
                assertThrows(SQLException.class, () -> st.executeUpdate("update payment.gift_card_ledger set amount_minor = 999999"
                        + " where gift_card_id = '" + id + "'"), role + " updated the ledger");
                assertThrows(SQLException.class, () -> st.executeUpdate("delete from payment.gift_card_ledger where gift_card_id = '" + id + "'"),
                        role + " deleted from the ledger");
                assertThrows(SQLException.class, () -> st.executeUpdate("truncate payment.gift_card_ledger"), role + " truncated the ledger");
            }
        }
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeUpdate("delete from payment.gift_card_ledger where gift_card_id = '" + id + "'"),
                    "even a superuser's delete is refused by the trigger");
        }
        bearer(tenant.ownerToken()).get("/gift-cards/" + id).then().body("giftCard.balanceMinor", equalTo(2000));
    }

    @Test
    void concurrentDebitsNeverTakeTheBalanceBelowZero() throws Exception {
        TestTenancy.Tenant tenant = TestTenancy.newTenant(0);
        String id = issue(tenant, 5000).then().statusCode(201).extract().path("id");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<Boolean>> debits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            debits.add(pool.submit(() -> {
                try (Connection c = PalisadeTestStack.get().connectAs("payment_owner"); Statement st = c.createStatement()) {
                    st.executeUpdate("insert into payment.gift_card_ledger (tenant_id, gift_card_id, kind, amount_minor, reason)"
                            + " values ('" + tenant.id() + "', '" + id + "', 'debit', 1000, 'concurrent test')");
                    return true;
                } catch (SQLException refused) {
                    assertTrue(refused.getMessage().contains("below zero"), refused.getMessage());
                    return false;
                }
            }));
        }
        int accepted = 0;
        for (Future<Boolean> debit : debits) {
            accepted += debit.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(5, accepted, "exactly the balance was spent");
        bearer(tenant.ownerToken()).get("/gift-cards/" + id).then().body("giftCard.balanceMinor", equalTo(0));
    }

    @Test
    void aGiftCardPaysAWholeBookingOrPartOfIt() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String code = issue(tenant, 7000).then().statusCode(201).extract().path("code");

        UUID whole = UUID.randomUUID();
        String wholeToken = PaymentApi.heldBooking(tokens, tenant, whole, 4000);
        String abandonedIntent = PaymentApi.checkout(wholeToken);
        redeem(wholeToken, code.toLowerCase().replace("-", " "), client()).then().statusCode(200).body("debitedMinor", equalTo(4000))
                .body("remainingMinor", equalTo(0)).body("paid", equalTo(true)).body("giftCardBalanceMinor", equalTo(3000));
        assertEquals("canceled", PaymentApi.STRIPE.paymentIntent(abandonedIntent).get("status"), "the card checkout started before was cancelled");
        assertEquals(1, count("select count(*) from payment.outbox where type = 'payment.succeeded' and subject = '" + whole + "'"
                + " and (data->>'amountMinor')::bigint = 4000 and (data->>'giftCardMinor')::bigint = 4000"));
        given().header("X-Guest-Token", wholeToken).post("/guest/payment").then().statusCode(409);

        UUID part = UUID.randomUUID();
        String partToken = PaymentApi.heldBooking(tokens, tenant, part, 9000);
        Thread.sleep(400);
        redeem(partToken, code, client()).then().statusCode(200).body("debitedMinor", equalTo(3000)).body("remainingMinor", equalTo(6000))
                .body("paid", equalTo(false));
        String secret = given().header("X-Guest-Token", partToken).post("/guest/payment").then().statusCode(200)
                .body("amountMinor", equalTo(6000)).extract().path("clientSecret");
        PaymentApi.confirmAtStripe(PaymentApi.account(tenant), secret.substring(0, secret.indexOf("_secret_")), "pm_card_visa", 200);
        await(() -> count("select count(*) from payment.outbox where type = 'payment.succeeded' and subject = '" + part + "'"
                + " and (data->>'amountMinor')::bigint = 9000 and (data->>'cardMinor')::bigint = 6000") == 1,
                "payment.succeeded carries the booking's total: card and gift card");
        Thread.sleep(400);
        UUID third = UUID.randomUUID();
        redeem(PaymentApi.heldBooking(tokens, tenant, third, 1000), code, client()).then().statusCode(422);
    }

    @Test
    void aHoldThatEndsUnpaidGivesTheGiftCardMoneyBack() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        Response card = issue(tenant, 3000);
        String code = card.path("code");
        UUID booking = UUID.randomUUID();
        String token = PaymentApi.heldBooking(tokens, tenant, booking, 9000);
        redeem(token, code, client()).then().statusCode(200).body("debitedMinor", equalTo(3000));
        bearer(tenant.ownerToken()).get("/gift-cards/" + card.path("id")).then().body("giftCard.balanceMinor", equalTo(0));
        PaymentApi.bookingEvent(tenant, BookingContract.EXPIRED, new BookingContract.BookingExpired(booking, 9000, "EUR"));
        await(() -> Integer.valueOf(3000).equals(bearer(tenant.ownerToken()).get("/gift-cards/" + card.path("id")).then().extract()
                .path("giftCard.balanceMinor")), "the expired hold's gift card debit is credited back");
        PaymentApi.bookingEvent(tenant, BookingContract.EXPIRED, new BookingContract.BookingExpired(booking, 9000, "EUR"));
        Thread.sleep(1000);
        bearer(tenant.ownerToken()).get("/gift-cards/" + card.path("id")).then().body("giftCard.balanceMinor", equalTo(3000))
                .body("ledger.size()", equalTo(3));
    }

    @Test
    void aBookingEventOfOneTenantGivesBackNothingOfAnothersBooking() throws Exception {
        TestTenancy.Tenant victim = PaymentApi.connectedTenant(0);
        TestTenancy.Tenant other = PaymentApi.connectedTenant(0);
        Response card = issue(victim, 3000);
        UUID booking = UUID.randomUUID();
        redeem(PaymentApi.heldBooking(tokens, victim, booking, 9000), card.path("code"), client()).then().statusCode(200);
        // The other tenant's event names the victim's booking: the worker scope of the event's tenant finds nothing.
        PaymentApi.bookingEvent(other, BookingContract.EXPIRED, new BookingContract.BookingExpired(booking, 9000, "EUR"));
        await(() -> count("select count(*) from payment.processed_events where tenant_id = '" + other.id() + "' and outcome = 'ignored'") == 1,
                "the other tenant's event was applied, to nothing");
        bearer(victim.ownerToken()).get("/gift-cards/" + card.path("id")).then().body("giftCard.balanceMinor", equalTo(0))
                .body("ledger.size()", equalTo(2));
        assertEquals(1, count("select count(*) from payment.bookings where booking_id = '" + booking + "' and status = 'held'"),
                "the victim's booking is still held");
    }

    @Test
    void aWrongCodeLeavesTheGuestsCardCheckoutAloneAndASmallRestIsRefused() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String code = issue(tenant, 4980).then().statusCode(201).extract().path("code");
        String token = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 5000);
        String intent = PaymentApi.checkout(token);
        redeem(token, "WRNG-WRNG-WRNG-WRNG", client()).then().statusCode(404);
        assertEquals("requires_payment_method", PaymentApi.STRIPE.paymentIntent(intent).get("status"), "a typo cancels nothing");
        redeem(token, code, client()).then().statusCode(422);
        assertEquals("requires_payment_method", PaymentApi.STRIPE.paymentIntent(intent).get("status"));
    }

    @Test
    void guessingCodesIsBlockedAndAuditedOnce() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String code = issue(tenant, 5000).then().statusCode(201).extract().path("code");
        String token = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 2000);
        String guesser = client();
        for (int i = 0; i < 5; i++) {
            redeem(token, "AAAA-BBBB-CCCC-000" + i, guesser).then().statusCode(404);
            Thread.sleep(350);
        }
        redeem(token, code, guesser).then().statusCode(429).header("Retry-After", notNullValue());
        Thread.sleep(350);
        redeem(token, code, guesser).then().statusCode(429);
        assertEquals(1, count("select count(*) from payment.outbox where tenant_id = '" + tenant.id() + "' and type = 'gift_card.guessing_blocked'"),
                "one anomaly event, not one per refusal");
        Thread.sleep(350);
        redeem(token, code, client()).then().statusCode(200);
    }

    @Test
    void codesTriedFasterThanAPersonTypesAreRefused() throws Exception {
        TestTenancy.Tenant tenant = PaymentApi.connectedTenant(0);
        String code = issue(tenant, 5000).then().statusCode(201).extract().path("code");
        String token = PaymentApi.heldBooking(tokens, tenant, UUID.randomUUID(), 2000);
        String bot = client();
        redeem(token, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", bot).then().statusCode(404);
        redeem(token, code, bot).then().statusCode(429);
        assertEquals(1, count("select count(*) from payment.outbox where tenant_id = '" + tenant.id() + "' and type = 'gift_card.redemption_too_fast'"));
        Thread.sleep(400);
        redeem(token, code, bot).then().statusCode(200);
    }
}
