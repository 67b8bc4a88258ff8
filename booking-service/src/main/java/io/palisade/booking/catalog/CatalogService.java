package io.palisade.booking.catalog;

import io.palisade.common.events.BookingContract;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** The operator's catalogue: offerings and their slots; every change is audited with the fields it changed. */
@ApplicationScoped
public class CatalogService {

    private final TenantTransactions tx;
    private final CatalogRepository catalog;
    private final CurrentTenant currentTenant;
    private final Outbox outbox;
    private final AuditLog audit;

    CatalogService(TenantTransactions tx, CatalogRepository catalog, CurrentTenant currentTenant, Outbox outbox, AuditLog audit) {
        this.tx = tx;
        this.catalog = catalog;
        this.currentTenant = currentTenant;
        this.outbox = outbox;
        this.audit = audit;
    }

    public Uni<CatalogRepository.Offering> create(CatalogRequests.NewOffering request, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> catalog.insertOffering(c, caller.tenantId(), request)
                .call(o -> outbox.append(c, caller.tenantId(), BookingContract.OFFERING_CREATED, o.id().toString(),
                        new BookingContract.OfferingCreated(o.name(), o.published(), caller.userId())))
                .call(o -> audit.record(c, new AuditEvent(caller.tenantId(), "offering.created", AuditEvent.Actor.of(caller, clientIp), "offering",
                        o.id().toString(), AuditEvent.SUCCESS, null, fields(o), null))));
    }

    public Uni<List<CatalogRepository.Offering>> offerings() {
        return tx.inTenant(currentTenant.get(), catalog::offerings);
    }

    public Uni<CatalogRepository.Offering> change(UUID id, CatalogRequests.ChangeOffering change, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> catalog.offering(c, id).chain(before -> catalog.changeOffering(c, id, change)
                .call(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                        : outbox.append(c, caller.tenantId(), BookingContract.OFFERING_UPDATED, id.toString(),
                                new BookingContract.OfferingUpdated(found.get().published(), caller.userId()))
                                .chain(() -> audit.record(c, changed(caller, clientIp, before.orElseThrow(), found.get()))))))
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("the offering")));
    }

    /** The fields an audit entry shows of an offering. */
    private static JsonObject fields(CatalogRepository.Offering o) {
        return new JsonObject().put("name", o.name()).put("description", o.description()).put("priceMinor", o.priceMinor())
                .put("currency", o.currency()).put("durationMinutes", o.durationMinutes()).put("published", o.published());
    }

    /** offering.updated with only the fields that changed, before and after. */
    private static AuditEvent changed(TenantContext caller, String clientIp, CatalogRepository.Offering before, CatalogRepository.Offering after) {
        JsonObject was = fields(before);
        JsonObject is = fields(after);
        JsonObject changedBefore = new JsonObject();
        JsonObject changedAfter = new JsonObject();
        for (String field : is.fieldNames()) {
            if (!java.util.Objects.equals(was.getValue(field), is.getValue(field))) {
                changedBefore.put(field, was.getValue(field));
                changedAfter.put(field, is.getValue(field));
            }
        }
        return new AuditEvent(caller.tenantId(), "offering.updated", AuditEvent.Actor.of(caller, clientIp), "offering", after.id().toString(),
                AuditEvent.SUCCESS, changedBefore, changedAfter, null);
    }

    public Uni<CatalogRepository.Slot> addSlot(UUID offeringId, CatalogRequests.NewSlot request, String clientIp) {
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
            return catalog.insertSlot(c, caller.tenantId(), offeringId, request.startsAt(), endsAt, request.capacity())
                    .call(slot -> audit.record(c, new AuditEvent(caller.tenantId(), "slot.created", AuditEvent.Actor.of(caller, clientIp), "slot",
                            slot.id().toString(), AuditEvent.SUCCESS, null, new JsonObject().put("offeringId", offeringId.toString())
                                    .put("startsAt", slot.startsAt().toString()).put("endsAt", slot.endsAt().toString()).put("capacity", slot.capacity()),
                            null)));
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
