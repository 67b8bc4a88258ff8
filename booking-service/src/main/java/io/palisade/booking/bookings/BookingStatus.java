package io.palisade.booking.bookings;

import java.util.Map;
import java.util.Set;

/**
 * The booking lifecycle: held → pending payment → confirmed → cancelled or refunded; held and pending bookings
 * may also expire or be cancelled. Every other move is refused (409). Payment events apply their part of it
 * with the booking locked (PaymentEventService), serialised with every other change of it.
 */
public final class BookingStatus {

    public static final String HELD = "held";
    public static final String PENDING_PAYMENT = "pending_payment";
    public static final String CONFIRMED = "confirmed";
    public static final String CANCELLED = "cancelled";
    public static final String REFUNDED = "refunded";
    public static final String EXPIRED = "expired";

    private static final Map<String, Set<String>> NEXT = Map.of(
            HELD, Set.of(PENDING_PAYMENT, CONFIRMED, CANCELLED, EXPIRED, REFUNDED),
            PENDING_PAYMENT, Set.of(CONFIRMED, CANCELLED, EXPIRED, REFUNDED),
            CONFIRMED, Set.of(CANCELLED, REFUNDED),
            CANCELLED, Set.of(),
            REFUNDED, Set.of(),
            EXPIRED, Set.of());

    private BookingStatus() {
    }

    public static boolean canMove(String from, String to) {
        return NEXT.getOrDefault(from, Set.of()).contains(to);
    }

    public static boolean known(String status) {
        return NEXT.containsKey(status);
    }
}
