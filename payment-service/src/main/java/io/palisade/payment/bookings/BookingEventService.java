package io.palisade.payment.bookings;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.BookingContract;
import io.palisade.common.events.ProcessedEvents;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.giftcards.GiftCardRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * What booking-service's events do to payment-service's record of bookings, once per event id, in one transaction
 * under the worker scope of the event's tenant: record a booking that may be paid, follow its state, and give back
 * the gift card money of a booking that ended unpaid. The outcome tells the consumer what follows at Stripe.
 */
@ApplicationScoped
public class BookingEventService {

    /** The hold ended: cancel the booking's open PaymentIntents. */
    static final String CANCEL_INTENTS = "cancel_intents";
    /** Money arrived for a booking that no longer wants it: refund it. */
    static final String REFUND = "refund";
    static final String RECORDED = "recorded";
    static final String IGNORED = "ignored";
    static final String DUPLICATE = "duplicate";

    private static final Map<String, String> STATUS_OF = Map.of("booking.confirmed", "confirmed", "booking.expired", "expired",
            "booking.cancelled", "cancelled", "booking.refunded", "refunded");
    private static final Set<String> HOLD_ENDED = Set.of("booking.expired", "booking.cancelled");
    private static final Set<String> UNPAID = Set.of("held", "pending_payment");
    private static final AuditEvent.Actor SYSTEM = new AuditEvent.Actor(null, "system", null, null);

    private final TenantTransactions tx;
    private final ProcessedEvents processed;
    private final BookingRepository bookings;
    private final GiftCardRepository giftCards;
    private final AuditLog audit;

    BookingEventService(TenantTransactions tx, ProcessedEvents processed, BookingRepository bookings, GiftCardRepository giftCards,
            AuditLog audit) {
        this.tx = tx;
        this.processed = processed;
        this.bookings = bookings;
        this.giftCards = giftCards;
        this.audit = audit;
    }

    /** recorded, ignored, duplicate, cancel_intents or refund. */
    public Uni<String> apply(CloudEvent event, BookingContract.OfABooking booking) {
        return tx.inBackground(DbScope.worker(event.tenantId()), c -> processed.firstDelivery(c, event).chain(first -> {
            if (!first) {
                // The Stripe side may have failed the first time; it is idempotent, so it runs again.
                return Uni.createFrom().item(HOLD_ENDED.contains(event.type()) ? CANCEL_INTENTS
                        : "booking.payment_unneeded".equals(event.type()) ? REFUND : DUPLICATE);
            }
            return applyFirst(c, event, booking).call(outcome -> processed.outcome(c, event, outcome));
        }));
    }

    private Uni<String> applyFirst(SqlConnection c, CloudEvent event, BookingContract.OfABooking booking) {
        String type = event.type();
        UUID bookingId = booking.bookingId();
        if (booking instanceof BookingContract.BookingCreated created) {
            if (created.amountMinor() <= 0) {
                return Uni.createFrom().item(IGNORED);
            }
            return bookings.record(c, event.tenantId(), bookingId, created.reference(), created.amountMinor(),
                    created.currency().toUpperCase(Locale.ROOT), created.status(), created.holdExpiresAt()).replaceWith(RECORDED);
        }
        if ("booking.payment_unneeded".equals(type)) {
            return releaseGiftCards(c, event.tenantId(), bookingId, "paid after the booking had ended").replaceWith(REFUND);
        }
        boolean endedUnpaid = booking instanceof BookingContract.BookingExpired
                || (booking instanceof BookingContract.BookingCancelled cancelled && UNPAID.contains(cancelled.previousStatus()));
        Uni<Void> released = endedUnpaid ? releaseGiftCards(c, event.tenantId(), bookingId, type.replace("booking.", "booking "))
                : Uni.createFrom().voidItem();
        return released.chain(() -> bookings.setStatus(c, bookingId, STATUS_OF.get(type)))
                .map(found -> !found ? IGNORED : HOLD_ENDED.contains(type) ? CANCEL_INTENTS : RECORDED);
    }

    /** A credit per card for what it paid towards the booking, net of earlier credits: running it twice credits nothing. */
    private Uni<Void> releaseGiftCards(SqlConnection c, UUID tenantId, UUID bookingId, String reason) {
        return giftCards.netDebitsOf(c, bookingId).onItem().transformToMulti(debits -> Multi.createFrom().iterable(debits))
                .onItem().transformToUniAndConcatenate(debit -> giftCards
                        .append(c, tenantId, debit.giftCardId(), "credit", debit.amountMinor(), bookingId, null, reason)
                        .chain(() -> audit.record(c, new AuditEvent(tenantId, "gift_card.released", SYSTEM, "gift_card",
                                debit.giftCardId().toString(), AuditEvent.SUCCESS, null, new JsonObject().put("amountMinor", debit.amountMinor()),
                                new JsonObject().put("bookingId", bookingId.toString()).put("reason", reason)))))
                .collect().last().replaceWithVoid();
    }
}
