package io.palisade.common.events;

import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.mutiny.Uni;

/**
 * Consumes topics for a service (a bean; {@link EventConsumers} runs it). Delivery is at least once and in
 * order per tenant: {@link #handle} must be idempotent on the event id.
 */
public interface EventHandler {

    List<String> topics();

    /** The consumer group: the service's name, so every instance of the service shares the partitions. */
    default String group() {
        return ConfigProvider.getConfig().getValue("quarkus.application.name", String.class);
    }

    Uni<Void> handle(CloudEvent event);
}
