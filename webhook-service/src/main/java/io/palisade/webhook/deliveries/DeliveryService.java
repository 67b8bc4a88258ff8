package io.palisade.webhook.deliveries;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.palisade.webhook.endpoints.EndpointRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** The delivery log of an endpoint and manual replays (audited); the worker picks replayed deliveries up at once. */
@ApplicationScoped
public class DeliveryService {

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final EndpointRepository endpoints;
    private final DeliveryRepository deliveries;
    private final AuditLog audit;
    private final DeliveryWorker worker;

    DeliveryService(TenantTransactions tx, CurrentTenant currentTenant, EndpointRepository endpoints, DeliveryRepository deliveries,
            AuditLog audit, DeliveryWorker worker) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.audit = audit;
        this.worker = worker;
    }

    public Uni<Page<DeliveryRepository.Delivery>> list(UUID endpointId, String status, String cursor, int limit) {
        if (status != null && !List.of("pending", "succeeded", "failed").contains(status)) {
            throw ProblemException.badRequest("status is pending, succeeded or failed");
        }
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> endpointExists(c, endpointId)
                .chain(() -> deliveries.list(c, endpointId, status, after.createdAt(), after.id(), limit + 1)))
                .map(rows -> Page.of(rows, limit, d -> d, d -> new Cursor(d.createdAt(), d.id())));
    }

    public Uni<List<DeliveryRepository.Attempt>> attempts(UUID endpointId, UUID deliveryId) {
        return tx.inTenant(currentTenant.get(), c -> deliveries.find(c, endpointId, deliveryId)
                .chain(found -> deliveries.attempts(c, found.orElseThrow(DeliveryService::notFound).id())));
    }

    public Uni<DeliveryRepository.Delivery> replay(UUID endpointId, UUID deliveryId, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> deliveries.replay(c, endpointId, deliveryId).chain(replayed -> !replayed
                ? deliveries.find(c, endpointId, deliveryId).map(DeliveryService::inFlightOrMissing)
                : audit.record(c, replayed(caller, clientIp, endpointId, new JsonObject().put("deliveryId", deliveryId.toString())))
                        .chain(() -> deliveries.find(c, endpointId, deliveryId)).map(found -> found.orElseThrow(DeliveryService::notFound))))
                .invoke(worker::wake);
    }

    public Uni<Integer> replayFailedSince(UUID endpointId, OffsetDateTime since, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> endpointExists(c, endpointId).chain(() -> deliveries.replayFailed(c, endpointId, since))
                .call(count -> audit.record(c, replayed(caller, clientIp, endpointId,
                        new JsonObject().put("failedSince", since.toString()).put("deliveries", count)))))
                .invoke(worker::wake);
    }

    /** Why a replay did not happen: no such delivery (404), or an attempt of it is in flight (409). */
    private static DeliveryRepository.Delivery inFlightOrMissing(java.util.Optional<DeliveryRepository.Delivery> found) {
        found.orElseThrow(DeliveryService::notFound);
        throw ProblemException.conflict("an attempt of this delivery is in flight; replay it once it has ended");
    }

    private Uni<Void> endpointExists(SqlConnection c, UUID endpointId) {
        return endpoints.find(c, endpointId).map(found -> {
            found.orElseThrow(() -> ProblemException.notFound("the webhook endpoint"));
            return null;
        });
    }

    private static AuditEvent replayed(TenantContext caller, String clientIp, UUID endpointId, JsonObject details) {
        return new AuditEvent(caller.tenantId(), "webhook.replayed", AuditEvent.Actor.of(caller, clientIp), "webhook_endpoint", endpointId.toString(),
                AuditEvent.SUCCESS, null, null, details);
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("the delivery");
    }
}
