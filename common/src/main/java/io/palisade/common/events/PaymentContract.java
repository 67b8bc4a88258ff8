package io.palisade.common.events;

import java.util.UUID;


/** payment-service's events (palisade.payment.events); the subject is the booking paid for. */
public final class PaymentContract {

    /** What every payment event says: which booking, how much, in what currency. */
    public interface OfABookingsPayment {
        UUID bookingId();

        long amountMinor();

        String currency();
    }

    /**
     * The booking is paid in full, by card, gift cards or both: amountMinor = cardMinor + giftCardMinor. paymentId,
     * paymentIntentId and stripeEventId are null when gift cards alone paid.
     */
    public record PaymentSucceeded(UUID bookingId, UUID paymentId, String paymentIntentId, String stripeEventId, long amountMinor, long cardMinor,
            long giftCardMinor, String currency) implements OfABookingsPayment {

        public static PaymentSucceeded of(UUID bookingId, UUID paymentId, String paymentIntentId, String stripeEventId, long cardMinor,
                long giftCardMinor, String currency) {
            return new PaymentSucceeded(bookingId, paymentId, paymentIntentId, stripeEventId, cardMinor + giftCardMinor, cardMinor, giftCardMinor,
                    currency);
        }
    }

    /** A card payment moved: failed, canceled, or refunded (amountMinor: the refunded total). */
    public record PaymentMoved(UUID bookingId, UUID paymentId, String paymentIntentId, String stripeEventId, long amountMinor, String currency)
            implements OfABookingsPayment {
    }

    public static final EventType<PaymentSucceeded> SUCCEEDED = of("payment.succeeded", PaymentSucceeded.class, true,
            "the booking is paid in full");
    public static final EventType<PaymentMoved> FAILED = of("payment.failed", PaymentMoved.class, true,
            "a card payment failed; the hold is left to expire");
    public static final EventType<PaymentMoved> CANCELED = of("payment.canceled", PaymentMoved.class, false, "a card payment was canceled");
    public static final EventType<PaymentMoved> REFUNDED = of("payment.refunded", PaymentMoved.class, true,
            "a card payment was refunded (the cumulative amount)");

    private static <T> EventType<T> of(String type, Class<T> data, boolean webhook, String meaning) {
        return new EventType<>(type, Topics.PAYMENT, 1, data, webhook, meaning);
    }

    private PaymentContract() {
    }
}
