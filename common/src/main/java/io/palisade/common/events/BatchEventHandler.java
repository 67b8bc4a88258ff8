package io.palisade.common.events;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * A handler that applies what one poll brought at once, each partition's events in their order (fewer transactions: the audit
 * ledger appends a backlog so). When the batch fails, {@link EventConsumers} handles the same events one at a time with
 * {@link #handle}, so a failing event is retried or passed over alone, as for any handler; {@link #handleAll} must be
 * idempotent on the event ids, as {@link #handle} is.
 */
public interface BatchEventHandler extends EventHandler {

    Uni<Void> handleAll(List<CloudEvent> events);
}
