package io.palisade.common.outbox;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.events.EventType;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records an event in the service's outbox on the caller's connection, inside the transaction of the change
 * it describes: a rolled-back change leaves no event, a committed one is never lost.
 */
@ApplicationScoped
public class Outbox {

    private final String schema;
    private final TenantTransactions tx;
    /** One action for every append: a transaction that writes several events wakes the relay once. */
    private final Runnable wakeRelay;

    Outbox(@ConfigProperty(name = "palisade.db.schema") String schema, TenantTransactions tx, OutboxRelay relay) {
        this.schema = schema;
        this.tx = tx;
        this.wakeRelay = relay::wake;
    }

    /** Appends an event of one of the contract's types (EventContracts) with its record as data. */
    public <T> Uni<Void> append(SqlConnection c, UUID tenantId, EventType<T> type, String subject, T data) {
        return c.preparedQuery("insert into " + schema + ".outbox (id, tenant_id, type, subject, data) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(UUID.randomUUID(), tenantId, type.type(), subject, type.write(data)))
                .invoke(() -> relayAfterCommit(c)).replaceWithVoid();
    }

    /** The relay sends the event as soon as the transaction that wrote it commits, not at its next poll. */
    public void relayAfterCommit(SqlConnection c) {
        tx.afterCommit(c, wakeRelay);
    }
}
