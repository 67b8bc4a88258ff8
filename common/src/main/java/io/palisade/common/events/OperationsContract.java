package io.palisade.common.events;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;


/** audit-service's alerts (palisade.audit.alerts) and webhook-service's events (palisade.webhook.events). */
public final class OperationsContract {

    /** The ledger entry that raised an alert. */
    public record AlertTrigger(UUID eventId, String action, Map<String, Object> actor, Map<String, Object> target, String outcome,
            OffsetDateTime occurredAt, long chainSeq) {
    }

    /**
     * A critical audit action reached its rule's threshold in a chain (tenantId null: the platform's chain). trigger is
     * null for a summary of held alerts, which counts them in suppressedSinceLastAlert.
     */
    public record AuditAlert(int schemaVersion, String kind, UUID tenantId, String chain, long intervalSeconds, OffsetDateTime raisedAt,
            long occurrencesInInterval, int suppressedSinceLastAlert, AlertTrigger trigger) {
    }

    public record EndpointDisabled(UUID endpointId, OffsetDateTime failingSince) {
    }

    public static final EventType<AuditAlert> AUDIT_ALERT = new EventType<>("audit.alert", Topics.ALERTS, 1, AuditAlert.class, true,
            "a critical audit action reached its alert rule");
    public static final EventType<EndpointDisabled> ENDPOINT_DISABLED = new EventType<>("webhook.endpoint_disabled", Topics.WEBHOOK, 1,
            EndpointDisabled.class, true, "an endpoint failing for too long was disabled");

    private OperationsContract() {
    }
}
