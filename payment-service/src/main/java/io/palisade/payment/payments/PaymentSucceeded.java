package io.palisade.payment.payments;

import java.util.UUID;

import io.vertx.core.json.JsonObject;

/**
 * payment.succeeded: a booking is paid in full, by card, by gift cards or both (docs/events.md). One record for both
 * of its producers, the Stripe event worker (a card payment succeeded) and a gift card redemption that paid the rest.
 *
 * @param paymentId the card payment, null when gift cards alone paid
 * @param paymentIntentId its PaymentIntent, null when gift cards alone paid
 * @param stripeEventId the Stripe event that told, null when gift cards alone paid
 */
public record PaymentSucceeded(UUID bookingId, UUID paymentId, String paymentIntentId, String stripeEventId, long cardMinor, long giftCardMinor,
        String currency) {

    public static final String TYPE = "payment.succeeded";

    public JsonObject data() {
        return new JsonObject().put("bookingId", bookingId.toString()).put("paymentId", paymentId == null ? null : paymentId.toString())
                .put("currency", currency).put("paymentIntentId", paymentIntentId).put("stripeEventId", stripeEventId)
                .put("amountMinor", cardMinor + giftCardMinor).put("cardMinor", cardMinor).put("giftCardMinor", giftCardMinor);
    }
}
