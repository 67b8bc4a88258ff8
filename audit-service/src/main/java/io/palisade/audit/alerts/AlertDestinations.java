package io.palisade.audit.alerts;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** Where the caller's tenant has its alerts mailed; each change is audited (the address itself is not logged). */
@ApplicationScoped
public class AlertDestinations {

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final AlertRepository alerts;
    private final AuditLog audit;

    AlertDestinations(CurrentTenant currentTenant, TenantTransactions tx, AlertRepository alerts, AuditLog audit) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.alerts = alerts;
        this.audit = audit;
    }

    public Uni<Optional<AlertRepository.Destination>> get() {
        return tx.inTenant(currentTenant.get(), alerts::destination);
    }

    public Uni<AlertRepository.Destination> set(String email, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> alerts.setDestination(c, caller.tenantId(), email, caller.userId())
                .call(() -> audit.record(c, changed(caller, clientIp, true))))
                .replaceWith(new AlertRepository.Destination(email));
    }

    /** Returns whether there was one. */
    public Uni<Boolean> remove(String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> alerts.removeDestination(c)
                .flatMap(removed -> !removed ? Uni.createFrom().item(false)
                        : audit.record(c, changed(caller, clientIp, false)).replaceWith(true)));
    }

    private static AuditEvent changed(TenantContext caller, String clientIp, boolean set) {
        return new AuditEvent(caller.tenantId(), set ? "audit.alert_destination_set" : "audit.alert_destination_removed",
                AuditEvent.Actor.of(caller, clientIp), "alert_destination", caller.tenantId().toString(), AuditEvent.SUCCESS, null,
                new JsonObject().put("mailed", set), null);
    }
}
