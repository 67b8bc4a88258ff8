package io.palisade.webhook.deliveries;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.events.OperationsContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.webhook.deliveries.DeliveryWorker.Claimed;
import io.palisade.webhook.deliveries.DeliveryWorker.Result;
import io.palisade.webhook.endpoints.EndpointRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Records what an attempt came to, in one transaction under the worker scope of the delivery's tenant: the delivery
 * moves on (only while the attempt still holds its lease), the attempt is logged, a blocked attempt is audited, and
 * an endpoint failing since before {@code disableBefore} is disabled, which its tenant learns from a
 * webhook.endpoint_disabled event and an audit entry.
 */
@ApplicationScoped
public class AttemptRecorder {

    private static final AuditEvent.Actor SYSTEM = new AuditEvent.Actor(null, "system", null, null);

    @Inject
    TenantTransactions tx;

    @Inject
    DeliveryRepository deliveries;

    @Inject
    EndpointRepository endpoints;

    @Inject
    Outbox outbox;

    @Inject
    AuditLog audit;

    /** Whether this attempt disabled the endpoint. */
    Uni<Boolean> record(Claimed d, Result r, Integer latencyMs, OffsetDateTime disableBefore) {
        return tx.inBackground(DbScope.worker(d.tenantId()), c -> deliveries
                .recordAttempt(c, d.deliveryId(), d.lease(), r.outcome(), r.statusCode(), latencyMs, r.excerpt(), r.error(), r.nextAttemptAt(),
                        r.finalStatus())
                .chain(attempted -> attempted.isEmpty() ? Uni.createFrom().item(false)
                        : (r.blockedAudit() == null ? Uni.createFrom().voidItem() : audit.record(c, r.blockedAudit()))
                                .chain(() -> endpointAfter(c, d.tenantId(), attempted.get().endpointId(), r, disableBefore))));
    }

    private Uni<Boolean> endpointAfter(SqlConnection c, UUID tenantId, UUID endpointId, Result r, OffsetDateTime disableBefore) {
        if ("succeeded".equals(r.outcome())) {
            return Uni.createFrom().item(false); // recordAttempt ended the endpoint's failing streak
        }
        return endpoints.markFailing(c, endpointId).chain(failingSince -> {
            if (failingSince.isEmpty() || failingSince.get().isAfter(disableBefore)) {
                return Uni.createFrom().item(false);
            }
            String since = failingSince.get().toString();
            return endpoints.disableFailing(c, endpointId, failingSince.get())
                    .chain(() -> outbox.append(c, tenantId, OperationsContract.ENDPOINT_DISABLED, endpointId.toString(),
                            new OperationsContract.EndpointDisabled(endpointId, failingSince.get())))
                    .chain(() -> audit.record(c, new AuditEvent(tenantId, OperationsContract.ENDPOINT_DISABLED.type(), SYSTEM, "webhook_endpoint", endpointId.toString(),
                            AuditEvent.SUCCESS, new JsonObject().put("enabled", true),
                            new JsonObject().put("enabled", false).put("failingSince", since), null)))
                    .replaceWith(true);
        });
    }
}
