package io.palisade.payment.bookings;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.BookingContract;
import io.palisade.common.events.EventContracts;
import io.palisade.common.events.EventHandler;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.payments.PaymentRepository;
import io.palisade.payment.refunds.RefundService;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * booking-service's events: which bookings may be paid and for how much (booking.created), when a hold ended
 * (its open PaymentIntents are cancelled), and when money arrived for a booking that no longer wanted it (it is
 * refunded automatically and the payment flagged). Side effects at Stripe are idempotent, so a redelivered
 * event does no harm.
 */
@ApplicationScoped
public class BookingEvents implements EventHandler {

    private static final Logger LOG = Logger.getLogger(BookingEvents.class);

    private final TenantTransactions tx;
    private final BookingEventService bookingEvents;
    private final StripeGateway stripe;
    private final RefundService refunds;
    private final PaymentRepository payments;

    @ConfigProperty(name = "palisade.bookings.topic")
    String topic;

    BookingEvents(TenantTransactions tx, BookingEventService bookingEvents, StripeGateway stripe, RefundService refunds,
            PaymentRepository payments) {
        this.tx = tx;
        this.bookingEvents = bookingEvents;
        this.stripe = stripe;
        this.refunds = refunds;
        this.payments = payments;
    }

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        // EventConsumers has held the data to its contract; only events of a booking concern this service.
        Object data = EventContracts.named(event.type()).<Object>map(event::data).orElse(null);
        if (!(data instanceof BookingContract.OfABooking booking) || event.tenantId() == null) {
            return Uni.createFrom().voidItem();
        }
        UUID bookingId = booking.bookingId();
        return bookingEvents.apply(event, booking).chain(outcome -> switch (outcome) {
            case BookingEventService.CANCEL_INTENTS -> cancelOpenIntents(event.tenantId(), bookingId);
            case BookingEventService.REFUND -> refunds.refundUnneeded(event.tenantId(), bookingId);
            default -> Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> cancelOpenIntents(UUID tenantId, UUID bookingId) {
        return tx.inBackground(DbScope.worker(tenantId), c -> payments.openIntents(c, bookingId))
                .onItem().transformToMulti(intents -> Multi.createFrom().iterable(intents))
                .onItem().transformToUniAndConcatenate(intent -> stripe.cancelPaymentIntent(intent.account(), intent.intentId()).replaceWithVoid()
                        // Already succeeded or cancelled: the webhook path records it (and refunds a late success).
                        // A transient failure fails the event, which is delivered again.
                        .onFailure(e -> e instanceof StripeGateway.StripeCallException s && s.status() >= 400 && s.status() < 500)
                        .recoverWithItem(e -> {
                            LOG.infof("payment intent %s of an ended hold was not cancelled: %s", intent.intentId(), e.getMessage());
                            return null;
                        }))
                .collect().last().replaceWithVoid();
    }
}
