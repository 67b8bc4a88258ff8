package io.palisade.common.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies each consumed event once: a consumer's first statement, in the transaction that applies the event under
 * the worker scope of the event's tenant, records the event id in the service's {@code processed_events} (keyed by
 * tenant and event id, so one tenant's event id never shadows another's). A redelivery finds it there and changes
 * nothing; a rolled-back application leaves no record, so the event is applied when it comes again.
 */
@ApplicationScoped
public class ProcessedEvents {

    @ConfigProperty(name = "palisade.db.schema")
    String schema;

    /** Whether this is the event's first delivery; false for a redelivery of one already applied. */
    public Uni<Boolean> firstDelivery(SqlConnection c, CloudEvent event) {
        return c.preparedQuery("insert into " + schema + ".processed_events (tenant_id, event_id, type) values ($1, $2, $3)"
                + " on conflict (tenant_id, event_id) do nothing")
                .execute(Tuple.of(event.tenantId(), event.id(), event.type())).map(rows -> rows.rowCount() == 1);
    }

    /** What applying the event came to, kept beside it for whoever investigates. */
    public Uni<Void> outcome(SqlConnection c, CloudEvent event, String outcome) {
        return c.preparedQuery("update " + schema + ".processed_events set outcome = $3 where tenant_id = $1 and event_id = $2")
                .execute(Tuple.of(event.tenantId(), event.id(), outcome)).replaceWithVoid();
    }
}
