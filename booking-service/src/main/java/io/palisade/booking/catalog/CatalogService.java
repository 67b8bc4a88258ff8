package io.palisade.booking.catalog;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** The operator's catalogue: offerings and their slots. */
@ApplicationScoped
public class CatalogService {

    @Inject
    TenantTransactions tx;

    @Inject
    CatalogRepository catalog;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    Outbox outbox;

    public Uni<CatalogRepository.Offering> create(CatalogRequests.NewOffering request) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> catalog.insertOffering(c, caller.tenantId(), request)
                .call(o -> outbox.append(c, caller.tenantId(), "offering.created", o.id().toString(),
                        new JsonObject().put("name", o.name()).put("published", o.published()).put("by", caller.userId().toString()))));
    }

    public Uni<List<CatalogRepository.Offering>> offerings() {
        return tx.inTenant(currentTenant.get(), catalog::offerings);
    }

    public Uni<CatalogRepository.Offering> change(UUID id, CatalogRequests.ChangeOffering change) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> catalog.changeOffering(c, id, change)
                .call(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                        : outbox.append(c, caller.tenantId(), "offering.updated", id.toString(),
                                new JsonObject().put("published", found.get().published()).put("by", caller.userId().toString()))))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("the offering")));
    }

    public Uni<CatalogRepository.Slot> addSlot(UUID offeringId, CatalogRequests.NewSlot request) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> catalog.offering(c, offeringId).chain(found -> {
            CatalogRepository.Offering offering = found.orElseThrow(() -> ProblemException.notFound("the offering"));
            java.time.OffsetDateTime endsAt;
            try {
                endsAt = request.endsAt() != null ? request.endsAt() : request.startsAt().plusMinutes(offering.durationMinutes());
            } catch (java.time.DateTimeException outOfRange) {
                throw ProblemException.unprocessable("startsAt is out of range");
            }
            if (!endsAt.isAfter(request.startsAt())) {
                throw ProblemException.unprocessable("endsAt must be after startsAt");
            }
            return catalog.insertSlot(c, caller.tenantId(), offeringId, request.startsAt(), endsAt, request.capacity());
        }));
    }

    public Uni<List<CatalogRepository.Slot>> slots(UUID offeringId) {
        return tx.inTenant(currentTenant.get(), c -> catalog.offering(c, offeringId).chain(found -> {
            if (found.isEmpty()) {
                throw ProblemException.notFound("the offering");
            }
            return catalog.slots(c, offeringId);
        }));
    }
}
