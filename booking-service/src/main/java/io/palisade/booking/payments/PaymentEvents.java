package io.palisade.booking.payments;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.PaymentContract;
import io.palisade.common.events.EventHandler;
import io.smallrye.mutiny.Uni;

/**
 * Payment events from payment-service: a booking is confirmed only by a {@code payment.succeeded} event for it,
 * never by a client. Each event is applied once (by its id), and late or out-of-order events never undo a later
 * state (PaymentEventService).
 */
@ApplicationScoped
public class PaymentEvents implements EventHandler {

    private static final Logger LOG = Logger.getLogger(PaymentEvents.class);

    private final PaymentEventService payments;

    @ConfigProperty(name = "palisade.payments.topic", defaultValue = "palisade.payment.events")
    String topic;

    PaymentEvents(PaymentEventService payments) {
        this.payments = payments;
    }

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        // EventConsumers has held the data to its contract; a type this service does not act on is passed over.
        PaymentContract.OfABookingsPayment payment = switch (event.type()) {
            case "payment.succeeded" -> event.data(PaymentContract.SUCCEEDED);
            case "payment.refunded" -> event.data(PaymentContract.REFUNDED);
            case "payment.failed" -> event.data(PaymentContract.FAILED);
            case "payment.canceled" -> event.data(PaymentContract.CANCELED);
            default -> null;
        };
        if (payment == null || event.tenantId() == null) {
            return Uni.createFrom().voidItem();
        }
        return payments.apply(event, payment)
                .invoke(outcome -> LOG.debugf("payment event %s: %s", event.id(), outcome))
                .replaceWithVoid();
    }
}
