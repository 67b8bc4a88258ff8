package io.palisade.booking.privacy;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Carries out erasure requests: one narrow definer finds pending ones of every tenant as (tenant, request), and each is
 * carried out in its own transaction under the worker scope of its tenant, with its audit entry.
 */
@ApplicationScoped
public class ErasureWorker {

    private static final Logger LOG = Logger.getLogger(ErasureWorker.class);
    private static final int BATCH = 100;

    private final TenantTransactions tx;
    private final ErasureRepository erasures;
    private final AuditLog audit;

    ErasureWorker(TenantTransactions tx, ErasureRepository erasures, AuditLog audit) {
        this.tx = tx;
        this.erasures = erasures;
        this.audit = audit;
    }

    @Scheduled(every = "${palisade.privacy.erasure-check}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> carryOutDue() {
        return tx.inBackground(DbScope.anonymous(), c -> erasures.due(c, BATCH))
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem().transformToUniAndConcatenate(due -> tx.inBackground(DbScope.worker(due.tenantId()), c -> erasures.lockPending(c, due.requestId())
                        .chain(found -> found.map(request -> erasures.anonymize(c, request.guestId())
                                .chain(() -> erasures.complete(c, request.id()))
                                .chain(() -> audit.record(c, new AuditEvent(due.tenantId(), "guest.anonymized", new AuditEvent.Actor(request.requestedBy(),
                                        null, null, null), "guest", request.guestId().toString(), AuditEvent.SUCCESS, null, null, new JsonObject()
                                                .put("erasureRequest", request.id().toString()).put("requestedAt", request.requestedAt().toString()))))
                                .replaceWith(1))
                                .orElseGet(() -> Uni.createFrom().item(0)))))
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .invoke(done -> {
                    if (done > 0) {
                        LOG.infof("%d erasure request(s) carried out", done);
                    }
                })
                .replaceWithVoid();
    }
}
