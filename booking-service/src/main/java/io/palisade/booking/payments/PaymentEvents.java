package io.palisade.booking.payments;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.EventHandler;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Payment events from payment-service: a booking is confirmed only by a {@code payment.succeeded} event for it,
 * never by a client. Each event is applied once (by its id), and late or out-of-order events never undo a later
 * state (PaymentEventService).
 */
@ApplicationScoped
public class PaymentEvents implements EventHandler {

    private static final Logger LOG = Logger.getLogger(PaymentEvents.class);

    @Inject
    PaymentEventService payments;

    @ConfigProperty(name = "palisade.payments.topic", defaultValue = "palisade.payment.events")
    String topic;

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        JsonObject data = event.data();
        UUID bookingId;
        try {
            UUID.fromString(event.id());
            bookingId = UUID.fromString(data.getString("bookingId"));
            if (event.tenantId() == null || data.getLong("amountMinor") == null || data.getString("currency") == null) {
                throw new IllegalArgumentException("incomplete");
            }
        } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
            LOG.warnf("payment event %s (%s) does not follow the contract; ignored", event.id(), event.type());
            return Uni.createFrom().voidItem();
        }
        return payments.apply(event, bookingId, data.getLong("amountMinor"), data.getString("currency"))
                .invoke(outcome -> LOG.debugf("payment event %s: %s", event.id(), outcome))
                .replaceWithVoid();
    }
}
