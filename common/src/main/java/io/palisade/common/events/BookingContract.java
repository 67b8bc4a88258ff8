package io.palisade.common.events;

import java.time.OffsetDateTime;
import java.util.UUID;


/** booking-service's events (palisade.booking.events); the subject is the booking or the offering. */
public final class BookingContract {

    /** What every booking event says first: which booking. */
    public interface OfABooking {
        UUID bookingId();
    }

    public record OfferingCreated(String name, boolean published, UUID by) {
    }

    public record OfferingUpdated(boolean published, UUID by) {
    }

    public record BookingCreated(UUID bookingId, String reference, UUID slotId, int seats, String status, long amountMinor, String currency,
            OffsetDateTime holdExpiresAt) implements OfABooking {
    }

    public record BookingExpired(UUID bookingId, long amountMinor, String currency) implements OfABooking {
    }

    /** {@code by}: "staff" or "guest"; one rule and one payload whoever cancels. */
    public record BookingCancelled(UUID bookingId, String previousStatus, String by, long amountMinor, String currency) implements OfABooking {
    }

    public record BookingRebooked(UUID bookingId, UUID fromSlotId, UUID toSlotId) implements OfABooking {
    }

    /**
     * What a payment event (or a free booking's email proof) did to a booking. {@code causedBy}: the payment event's id,
     * or "email_proof".
     */
    public record BookingSettled(UUID bookingId, String status, long amountMinor, String currency, String causedBy) implements OfABooking {
    }

    public static final EventType<OfferingCreated> OFFERING_CREATED = of("offering.created", OfferingCreated.class, false,
            "an offering was created");
    public static final EventType<OfferingUpdated> OFFERING_UPDATED = of("offering.updated", OfferingUpdated.class, false,
            "an offering changed (its published state is in the data)");
    public static final EventType<BookingCreated> CREATED = of("booking.created", BookingCreated.class, true,
            "seats were held, priced on the server; status held");
    public static final EventType<BookingExpired> EXPIRED = of("booking.expired", BookingExpired.class, true, "the hold ran out unpaid");
    public static final EventType<BookingCancelled> CANCELLED = of("booking.cancelled", BookingCancelled.class, true,
            "staff or the guest cancelled");
    public static final EventType<BookingRebooked> REBOOKED = of("booking.rebooked", BookingRebooked.class, true,
            "staff moved the booking to another slot");
    public static final EventType<BookingSettled> CONFIRMED = of("booking.confirmed", BookingSettled.class, true,
            "paid in full, or a free booking's email proven");
    public static final EventType<BookingSettled> REFUNDED = of("booking.refunded", BookingSettled.class, true,
            "the payment was refunded; the seats are free");
    public static final EventType<BookingSettled> PAYMENT_MISMATCH = of("booking.payment_mismatch", BookingSettled.class, false,
            "a payment whose amount or currency is not the booking's confirmed nothing");
    public static final EventType<BookingSettled> PAYMENT_UNNEEDED = of("booking.payment_unneeded", BookingSettled.class, false,
            "money arrived for a booking that no longer wants it; payment-service refunds it");

    private static <T> EventType<T> of(String type, Class<T> data, boolean webhook, String meaning) {
        return new EventType<>(type, Topics.BOOKING, 1, data, webhook, meaning);
    }

    private BookingContract() {
    }
}
