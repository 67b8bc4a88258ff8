package io.palisade.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.AccountCreateParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;

import io.palisade.devstack.stripe.StripeFake;

/**
 * The Stripe fake answers as Stripe does, as Stripe's own Java library reads it: idempotent replays and
 * mismatches, objects of one connected account invisible to another, card errors, and webhook signatures that
 * stripe-java verifies.
 */
class StripeFakeTest {

    private static StripeFake fake;
    private static StripeClient stripe;

    @BeforeAll
    static void start() {
        fake = StripeFake.start(0);
        stripe = StripeClient.builder().setApiKey("sk_test_fake_test").setApiBase(fake.apiBase()).setMaxNetworkRetries(0).build();
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    private static String account() throws Exception {
        return stripe.v1().accounts().create(AccountCreateParams.builder().setType(AccountCreateParams.Type.STANDARD).build()).getId();
    }

    private static PaymentIntentCreateParams intent(long amount) {
        return PaymentIntentCreateParams.builder().setAmount(amount).setCurrency("eur").build();
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstAnswerAndRefusesADifferentRequest() throws Exception {
        String account = account();
        RequestOptions key = RequestOptions.builder().setStripeAccount(account).setIdempotencyKey("same-key").build();
        PaymentIntent first = stripe.v1().paymentIntents().create(intent(1000), key);
        PaymentIntent again = stripe.v1().paymentIntents().create(intent(1000), key);
        assertEquals(first.getId(), again.getId());
        assertEquals(1, fake.paymentIntentsOf(account).size());
        IdempotencyException mismatch = assertThrows(IdempotencyException.class, () -> stripe.v1().paymentIntents().create(intent(2000), key));
        assertEquals(400, mismatch.getStatusCode());
    }

    @Test
    void anotherAccountsObjectsDoNotExistForTheCaller() throws Exception {
        String a = account();
        String b = account();
        PaymentIntent pi = stripe.v1().paymentIntents().create(intent(500), RequestOptions.builder().setStripeAccount(a).build());
        InvalidRequestException missing = assertThrows(InvalidRequestException.class,
                () -> stripe.v1().paymentIntents().retrieve(pi.getId(), RequestOptions.builder().setStripeAccount(b).build()));
        assertEquals(404, missing.getStatusCode());
        assertEquals("resource_missing", missing.getCode());
    }

    @Test
    void aDeclinedCardIsACardErrorAndASucceededIntentCannotBeCancelled() throws Exception {
        String account = account();
        RequestOptions on = RequestOptions.builder().setStripeAccount(account).build();
        PaymentIntent pi = stripe.v1().paymentIntents().create(intent(700), on);
        CardException declined = assertThrows(CardException.class, () -> stripe.v1().paymentIntents().confirm(pi.getId(),
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_chargeDeclined").build(), on));
        assertEquals("card_declined", declined.getCode());
        PaymentIntent paid = stripe.v1().paymentIntents().confirm(pi.getId(),
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_visa").build(), on);
        assertEquals("succeeded", paid.getStatus());
        InvalidRequestException state = assertThrows(InvalidRequestException.class, () -> stripe.v1().paymentIntents().cancel(pi.getId(), on));
        assertEquals("payment_intent_unexpected_state", state.getCode());
    }

    @Test
    void webhookSignaturesAreTheOnesStripeJavaVerifies() throws Exception {
        String body = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\"}";
        long now = Instant.now().getEpochSecond();
        assertTrue(Webhook.Signature.verifyHeader(body, StripeFake.signatureHeader(body, now, "whsec_x"), "whsec_x", 300));
        assertThrows(SignatureVerificationException.class,
                () -> Webhook.Signature.verifyHeader(body, StripeFake.signatureHeader(body, now, "whsec_y"), "whsec_x", 300));
    }
}
