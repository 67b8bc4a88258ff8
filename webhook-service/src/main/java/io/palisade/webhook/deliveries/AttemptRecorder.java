package io.palisade.webhook.deliveries;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.events.OperationsContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.webhook.deliveries.DeliveryRepository.Claimed;
import io.palisade.webhook.deliveries.DeliveryWorker.Result;
import io.palisade.webhook.endpoints.EndpointRepository;
import io.smallrye.mutiny.Multi;
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
    /** At most this many successes in one batch (as many as the worker has slots by default). */
    private static final int MAX_BATCH = 64;

    private record PendingSuccess(UUID tenantId, DeliveryRepository.Success success, CompletableFuture<Void> recorded) {
    }

    private final Queue<PendingSuccess> successes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    private final TenantTransactions tx;
    private final DeliveryRepository deliveries;
    private final EndpointRepository endpoints;
    private final Outbox outbox;
    private final AuditLog audit;

    AttemptRecorder(TenantTransactions tx, DeliveryRepository deliveries, EndpointRepository endpoints, Outbox outbox, AuditLog audit) {
        this.tx = tx;
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.outbox = outbox;
        this.audit = audit;
    }

    /** Whether this attempt disabled the endpoint. */
    Uni<Boolean> record(Claimed d, Result r, Integer latencyMs, OffsetDateTime disableBefore) {
        if ("succeeded".equals(r.outcome()) && r.blockedAudit() == null) {
            return Uni.createFrom().deferred(() -> {
                PendingSuccess pending = new PendingSuccess(d.tenantId(),
                        new DeliveryRepository.Success(d.deliveryId(), d.lease(), r.statusCode(), latencyMs, r.excerpt()), new CompletableFuture<>());
                successes.add(pending);
                flush();
                return Uni.createFrom().completionStage(pending.recorded()).replaceWith(false);
            });
        }
        return recordOne(d, r, latencyMs, disableBefore);
    }

    /**
     * Successes, the bulk of the attempts, are recorded in batches: while one batch's transactions run, the successes
     * finished meanwhile queue up and go together in the next, each tenant's in one transaction under its worker scope.
     * Alone, one goes at once. A batch that fails is recorded one by one.
     */
    private void flush() {
        if (!flushing.compareAndSet(false, true)) {
            return;
        }
        List<PendingSuccess> batch = new ArrayList<>();
        for (PendingSuccess next; batch.size() < MAX_BATCH && (next = successes.poll()) != null;) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            flushing.set(false);
            // A success queued after the poll and before the flag was cleared would wait for the next one: look again.
            if (!successes.isEmpty()) {
                flush();
            }
            return;
        }
        Map<UUID, List<PendingSuccess>> byTenant = batch.stream().collect(Collectors.groupingBy(PendingSuccess::tenantId));
        Multi.createFrom().iterable(byTenant.entrySet())
                .onItem().transformToUniAndConcatenate(tenant -> recordBatch(tenant.getKey(), tenant.getValue()))
                .collect().last()
                .subscribe().with(done -> {
                    flushing.set(false);
                    flush();
                }, failure -> {
                    flushing.set(false);
                    flush();
                });
    }

    private Uni<Void> recordBatch(UUID tenantId, List<PendingSuccess> batch) {
        return tx.inBackground(DbScope.worker(tenantId), c -> deliveries.recordSuccesses(c, batch.stream().map(PendingSuccess::success).toList()))
                .invoke(recorded -> batch.forEach(p -> p.recorded().complete(null)))
                .onFailure().recoverWithUni(failure -> Multi.createFrom().iterable(batch)
                        .onItem().transformToUniAndConcatenate(p -> tx.inBackground(DbScope.worker(tenantId),
                                        c -> deliveries.recordSuccesses(c, List.of(p.success())))
                                .invoke(recorded -> p.recorded().complete(null))
                                .onFailure().invoke(p.recorded()::completeExceptionally)
                                .onFailure().recoverWithNull())
                        .collect().last().replaceWith(Set.<UUID>of()))
                .replaceWithVoid();
    }

    private Uni<Boolean> recordOne(Claimed d, Result r, Integer latencyMs, OffsetDateTime disableBefore) {
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
