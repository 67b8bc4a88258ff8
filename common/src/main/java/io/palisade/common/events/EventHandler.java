package io.palisade.common.events;

import io.smallrye.mutiny.Uni;

/**
 * Consumes one topic for a service (a bean; {@link EventConsumers} runs it). Delivery is at least once and in
 * order per tenant: {@link #handle} must be idempotent on the event id.
 */
public interface EventHandler {

    String topic();

    /** The consumer group: one per service, so every instance of the service shares the partitions. */
    String group();

    Uni<Void> handle(CloudEvent event);
}
