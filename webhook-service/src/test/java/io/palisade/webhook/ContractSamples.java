package io.palisade.webhook;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import io.palisade.common.events.EventType;
import io.palisade.common.events.BookingContract;
import io.palisade.common.events.EventContracts;
import io.palisade.common.events.PaymentContract;

/** Data of one event type as its producer writes it (the contract's record), for a booking of its own, to publish in tests. */
public final class ContractSamples {

    private ContractSamples() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> sample(String type) {
        UUID booking = UUID.randomUUID();
        Object data = switch (type) {
            case "booking.created" -> new BookingContract.BookingCreated(booking, booking.toString().replace("-", ""), UUID.randomUUID(), 1, "held",
                    4500, "EUR", OffsetDateTime.now().plusMinutes(15));
            case "booking.confirmed", "booking.refunded" -> new BookingContract.BookingSettled(booking, type.substring("booking.".length()), 4500, "EUR",
                    UUID.randomUUID().toString());
            case "booking.cancelled" -> new BookingContract.BookingCancelled(booking, "confirmed", "staff", 4500, "EUR");
            case "booking.rebooked" -> new BookingContract.BookingRebooked(booking, UUID.randomUUID(), UUID.randomUUID());
            case "booking.expired" -> new BookingContract.BookingExpired(booking, 4500, "EUR");
            case "payment.succeeded" -> PaymentContract.PaymentSucceeded.of(booking, UUID.randomUUID(), "pi_sample", "evt_sample", 4500, 0, "EUR");
            default -> throw new IllegalArgumentException("no sample of " + type);
        };
        EventType<Object> contract = (EventType<Object>) EventContracts.named(type).orElseThrow();
        return contract.write(data).getMap();
    }
}
