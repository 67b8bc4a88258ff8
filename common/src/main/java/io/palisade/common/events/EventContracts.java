package io.palisade.common.events;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;


/**
 * Every event type of Palisade, in one registry: producers and consumers use its records, webhook-service takes the
 * types tenants may subscribe to from it, and the table in docs/events.md is its rendering (EventContractsTest).
 */
public final class EventContracts {

    public static final List<EventType<?>> ALL = List.of(
            TenancyContract.TENANT_CREATED, TenancyContract.TENANT_RENAMED, TenancyContract.MEMBER_UPDATED, TenancyContract.MEMBER_REMOVED,
            TenancyContract.MEMBER_JOINED, TenancyContract.INVITATION_CREATED, TenancyContract.INVITATION_REVOKED,
            BookingContract.OFFERING_CREATED, BookingContract.OFFERING_UPDATED, BookingContract.CREATED, BookingContract.CONFIRMED,
            BookingContract.EXPIRED, BookingContract.CANCELLED, BookingContract.REBOOKED, BookingContract.REFUNDED, BookingContract.PAYMENT_MISMATCH,
            BookingContract.PAYMENT_UNNEEDED,
            PaymentContract.SUCCEEDED, PaymentContract.FAILED, PaymentContract.CANCELED, PaymentContract.REFUNDED,
            OperationsContract.AUDIT_ALERT, OperationsContract.ENDPOINT_DISABLED);

    private static final Map<String, EventType<?>> BY_TYPE = ALL.stream().collect(Collectors.toMap(EventType::type, Function.identity()));

    private EventContracts() {
    }

    public static Optional<EventType<?>> named(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    /** The types a tenant may subscribe a webhook endpoint to. */
    public static Set<String> webhookTypes() {
        return ALL.stream().filter(EventType::webhook).map(EventType::type).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The registry as docs/events.md shows it: type, topic, version, the record's fields, whether webhooks get it, what it means. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| type | topic | version | data | webhook | meaning |\n|---|---|---|---|---|---|\n");
        for (EventType<?> type : ALL) {
            table.append("| `").append(type.type()).append("` | `").append(type.topic()).append("` | ").append(type.version()).append(" | `")
                    .append(fields(type.data())).append("` | ").append(type.webhook() ? "yes" : "no").append(" | ").append(type.meaning())
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String fields(Class<?> record) {
        StringBuilder fields = new StringBuilder("{");
        for (var component : record.getRecordComponents()) {
            if (fields.length() > 1) {
                fields.append(", ");
            }
            fields.append(component.getName());
            if (component.getType().isRecord()) {
                fields.append(": ").append(fields(component.getType()));
            }
        }
        return fields.append('}').toString();
    }
}
