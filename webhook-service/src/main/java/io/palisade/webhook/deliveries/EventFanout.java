package io.palisade.webhook.deliveries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.events.BatchEventHandler;
import io.palisade.common.events.CloudEvent;
import io.palisade.common.events.EventType;
import io.palisade.common.events.EventContracts;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.webhook.WebhookSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Domain events of the other services into deliveries: each subscribable event becomes one message (the body every
 * attempt signs) and a delivery to each enabled endpoint of that tenant subscribed to its type, once per event id
 * whatever the redeliveries. It works under the worker scope of the event's tenant (ordinary SQL, row-level
 * security admits that tenant's rows only). A poll's events go in one transaction, each tenant's in one statement
 * under its scope, in the order they came; the worker is woken so the first attempts go out at once.
 */
@ApplicationScoped
public class EventFanout implements BatchEventHandler {

    private final WebhookSettings settings;
    private final TenantTransactions tx;
    private final DeliveryRepository deliveries;
    private final DeliveryWorker worker;

    EventFanout(WebhookSettings settings, TenantTransactions tx, DeliveryRepository deliveries, DeliveryWorker worker) {
        this.settings = settings;
        this.tx = tx;
        this.deliveries = deliveries;
        this.worker = worker;
    }

    @Override
    public List<String> topics() {
        return settings.sourceTopics();
    }

    @Override
    public Uni<Void> handle(CloudEvent event) {
        return handleAll(List.of(event));
    }

    @Override
    public Uni<Void> handleAll(List<CloudEvent> events) {
        Map<UUID, List<DeliveryRepository.NewMessage>> byTenant = new LinkedHashMap<>();
        for (CloudEvent event : events) {
            Optional<EventType<?>> type = EventContracts.named(event.type()).filter(EventType::webhook);
            if (event.tenantId() != null && type.isPresent()) {
                String body = new JsonObject().put("id", event.id()).put("type", event.type()).put("timestamp", event.time())
                        .put("data", publicForm(event, type.get())).encode();
                byTenant.computeIfAbsent(event.tenantId(), tenant -> new ArrayList<>()).add(new DeliveryRepository.NewMessage(event.id(), event.type(), body));
            }
        }
        if (byTenant.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.inBackgroundEach(List.copyOf(byTenant.entrySet()), tenant -> DbScope.worker(tenant.getKey()),
                        (c, tenant) -> deliveries.storeMessages(c, tenant.getKey(), tenant.getValue()))
                .invoke(made -> {
                    if (made.stream().anyMatch(n -> n > 0)) {
                        worker.wake();
                    }
                })
                .replaceWithVoid();
    }

    /** The data as its record writes it: the documented, versioned form tenants' systems consume (docs/webhooks.md). */
    private static <T> JsonObject publicForm(CloudEvent event, EventType<T> type) {
        return type.write(event.data(type));
    }
}
