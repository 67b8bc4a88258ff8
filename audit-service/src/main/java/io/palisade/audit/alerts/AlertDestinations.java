package io.palisade.audit.alerts;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.db.Rows;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Where the caller's tenant has its alerts mailed; each change is audited (the address itself is not logged). */
@ApplicationScoped
public class AlertDestinations {

    public record Destination(String email) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final AuditLog audit;

    AlertDestinations(CurrentTenant currentTenant, TenantTransactions tx, AuditLog audit) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.audit = audit;
    }

    public Uni<Optional<Destination>> get() {
        return tx.inTenant(currentTenant.get(), this::find);
    }

    /** The scope's tenant's destination (row-level security): the caller's, or under a worker scope the alert's tenant's. */
    public Uni<Optional<Destination>> find(SqlConnection c) {
        return c.query("select email from audit.alert_destinations").execute().map(rows -> Rows.first(rows).map(r -> new Destination(r.getString("email"))));
    }

    public Uni<Destination> set(String email, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> c.preparedQuery("insert into audit.alert_destinations (tenant_id, email, updated_by) values ($1, $2, $3)"
                + " on conflict (tenant_id) do update set email = excluded.email, updated_at = now(), updated_by = excluded.updated_by")
                .execute(Tuple.of(caller.tenantId(), email, caller.userId()))
                .call(() -> audit.record(c, changed(caller, clientIp, true))))
                .replaceWith(new Destination(email));
    }

    /** Returns whether there was one. */
    public Uni<Boolean> remove(String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> c.query("delete from audit.alert_destinations").execute()
                .flatMap(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                        : audit.record(c, changed(caller, clientIp, false)).replaceWith(true)));
    }

    private static AuditEvent changed(TenantContext caller, String clientIp, boolean set) {
        return new AuditEvent(caller.tenantId(), set ? "audit.alert_destination_set" : "audit.alert_destination_removed",
                AuditEvent.Actor.of(caller, clientIp), "alert_destination", caller.tenantId().toString(), AuditEvent.SUCCESS, null,
                new JsonObject().put("mailed", set), null);
    }
}
