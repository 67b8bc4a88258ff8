package io.palisade.booking.payments;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.bookings.BookingRepository;
import io.palisade.booking.bookings.BookingRepository.Booking;
import io.palisade.booking.bookings.BookingStatus;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.EventType;
import io.palisade.common.events.BookingContract;
import io.palisade.common.events.PaymentContract;
import io.palisade.common.events.ProcessedEvents;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;

/**
 * What a payment event does to its booking, once per event id, in one transaction under the worker scope of the
 * event's tenant with the booking locked. A payment that arrives for a booking that no longer wants it (expired,
 * cancelled) never resurrects it: booking.payment_unneeded tells payment-service to refund. After a refund nothing
 * more is asked; only a refund of the full amount moves a booking to refunded. Contract: docs/events.md.
 */
@ApplicationScoped
public class PaymentEventService {

    /** What an event comes to: its outcome, the status the booking moves to (or none), and the event that says so (or none). */
    record Decision(String outcome, String newStatus, EventType<BookingContract.BookingSettled> event) {

        static Decision only(String outcome) {
            return new Decision(outcome, null, null);
        }
    }

    private final TenantTransactions tx;
    private final ProcessedEvents processed;
    private final BookingRepository bookings;
    private final Outbox outbox;

    PaymentEventService(TenantTransactions tx, ProcessedEvents processed, BookingRepository bookings, Outbox outbox) {
        this.tx = tx;
        this.processed = processed;
        this.bookings = bookings;
        this.outbox = outbox;
    }

    /** The outcome: duplicate, unknown_booking, or the decision's (docs/events.md lists them). */
    public Uni<String> apply(CloudEvent event, PaymentContract.OfABookingsPayment payment) {
        UUID bookingId = payment.bookingId();
        long amountMinor = payment.amountMinor();
        String currency = payment.currency();
        return tx.inBackground(DbScope.worker(event.tenantId()), c -> processed.firstDelivery(c, event).chain(first -> {
            if (!first) {
                return Uni.createFrom().item("duplicate");
            }
            return bookings.lock(c, bookingId).chain(booking -> {
                Decision decision = decide(event.type(), booking, amountMinor, currency);
                Uni<Void> moved = decision.newStatus() == null ? Uni.createFrom().voidItem() : bookings.setStatus(c, bookingId, decision.newStatus());
                return moved.chain(() -> processed.outcome(c, event, decision.outcome()))
                        .chain(() -> decision.event() == null ? Uni.createFrom().voidItem()
                                : outbox.append(c, event.tenantId(), decision.event(), bookingId.toString(),
                                        new BookingContract.BookingSettled(bookingId, decision.outcome(), amountMinor, currency, event.id())))
                        .replaceWith(decision.outcome());
            });
        }));
    }

    static Decision decide(String type, Optional<Booking> found, long amountMinor, String currency) {
        if (found.isEmpty()) {
            return Decision.only("unknown_booking");
        }
        Booking b = found.get();
        boolean awaitingPayment = BookingStatus.HELD.equals(b.status()) || BookingStatus.PENDING_PAYMENT.equals(b.status());
        boolean sameAmount = b.amountMinor() == amountMinor && b.currency().equals(currency);
        if (PaymentContract.SUCCEEDED.type().equals(type)) {
            if (awaitingPayment && !sameAmount) {
                return new Decision("amount_mismatch", null, BookingContract.PAYMENT_MISMATCH);
            }
            if (awaitingPayment) {
                return new Decision("confirmed", BookingStatus.CONFIRMED, BookingContract.CONFIRMED);
            }
            if (BookingStatus.CONFIRMED.equals(b.status())) {
                return Decision.only("already_confirmed");
            }
            if (BookingStatus.REFUNDED.equals(b.status())) {
                // The money already went back: nothing more to ask of payment-service.
                return Decision.only("payment_after_refunded");
            }
            return new Decision("payment_after_" + b.status(), null, BookingContract.PAYMENT_UNNEEDED);
        }
        if (PaymentContract.REFUNDED.type().equals(type)) {
            if (BookingStatus.REFUNDED.equals(b.status())) {
                return Decision.only("already_refunded");
            }
            if (!sameAmount) {
                // A partial refund (a goodwill gesture) leaves the booking as it is.
                return Decision.only("partial_refund");
            }
            if (awaitingPayment || BookingStatus.CONFIRMED.equals(b.status())) {
                return new Decision("refunded", BookingStatus.REFUNDED, BookingContract.REFUNDED);
            }
        }
        return Decision.only("ignored");
    }
}
