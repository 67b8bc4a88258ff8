package io.palisade.common.events;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which service writes which topic, as CloudEvents sources: the broker's ACLs (kafka-acls.yaml) let only that service
 * write there, and consumers refuse an event whose source says otherwise (a misrouted or forged event is never
 * applied). The audit topic is written by every service, each under its own name.
 */
public final class Topics {

    public static final String AUDIT = "palisade.audit";
    public static final String TENANCY = "palisade.tenancy.events";
    public static final String BOOKING = "palisade.booking.events";
    public static final String PAYMENT = "palisade.payment.events";
    public static final String ALERTS = "palisade.audit.alerts";
    public static final String WEBHOOK = "palisade.webhook.events";

    /** Each domain topic and the source of the only service that writes it. */
    public static final Map<String, String> OWNERS = Map.of(
            TENANCY, "/tenant-service",
            BOOKING, "/booking-service",
            PAYMENT, "/payment-service",
            ALERTS, "/audit-service",
            WEBHOOK, "/webhook-service");

    private static final Set<String> SERVICES = Set.copyOf(OWNERS.values());

    private Topics() {
    }

    /** Why an event with this source does not belong on this topic, or empty when it does. */
    public static Optional<String> wrongSource(String topic, String source) {
        if (AUDIT.equals(topic)) {
            return SERVICES.contains(source) ? Optional.empty() : Optional.of("source " + source + " is not a Palisade service");
        }
        String owner = OWNERS.get(topic);
        return owner == null || owner.equals(source) ? Optional.empty()
                : Optional.of("source " + source + " is not " + owner + ", the only writer of " + topic);
    }
}
