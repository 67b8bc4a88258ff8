package io.palisade.common.audit;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.outbox.Outbox;
import io.palisade.common.web.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records an audit event in the service's outbox, on the caller's connection and in the transaction of the
 * action itself: a rolled-back action logs nothing, a committed one is never lost. The relay sends the audit
 * stream to the audit topic, where audit-service builds the ledger.
 */
@ApplicationScoped
public class AuditLog {

    private final String schema;
    private final Outbox outbox;

    AuditLog(@ConfigProperty(name = "palisade.db.schema") String schema, Outbox outbox) {
        this.schema = schema;
        this.outbox = outbox;
    }

    public Uni<Void> record(SqlConnection c, AuditEvent event) {
        return c.preparedQuery("insert into " + schema + ".outbox (id, tenant_id, stream, type, subject, data)"
                + " values ($1, $2, 'audit', $3, $4, $5)")
                .execute(Tuple.of(UUID.randomUUID(), event.tenantId(), event.action(), event.targetId(), event.toJson(RequestIds.current().orElse(null))))
                .invoke(() -> outbox.relayAfterCommit(c)).replaceWithVoid();
    }
}
