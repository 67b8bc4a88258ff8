package io.palisade.webhook.endpoints;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The event types a tenant can subscribe an endpoint to (docs/webhooks.md); internal ones are never delivered. */
public final class EventTypes {

    public static final Set<String> SUBSCRIBABLE = new TreeSet<>(List.of(
            "booking.created", "booking.confirmed", "booking.cancelled", "booking.expired", "booking.rebooked", "booking.refunded",
            "payment.succeeded", "payment.failed", "payment.refunded",
            "audit.alert", "webhook.endpoint_disabled"));

    private EventTypes() {
    }
}
