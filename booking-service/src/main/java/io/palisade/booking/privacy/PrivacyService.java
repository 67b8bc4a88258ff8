package io.palisade.booking.privacy;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.guests.GuestData;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Guests' privacy for the tenant's owners and admins: find a guest, export their data, erase it. */
@ApplicationScoped
public class PrivacyService {

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final PrivacyRepository privacy;
    private final GuestData guestData;
    private final AuditLog audit;
    private final PrivacySettings settings;

    PrivacyService(TenantTransactions tx, CurrentTenant currentTenant, PrivacyRepository privacy, GuestData guestData, AuditLog audit,
            PrivacySettings settings) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.privacy = privacy;
        this.guestData = guestData;
        this.audit = audit;
        this.settings = settings;
    }

    /** Finds a guest by email without decrypting anything: by the email's lookup value in this tenant. */
    public Uni<List<PrivacyRepository.GuestSummary>> findByEmail(String email) {
        TenantContext caller = currentTenant.get();
        String lookup = guestData.lookup(caller.tenantId(), email);
        return tx.inTenant(caller, c -> privacy.guestsByEmailLookup(c, lookup));
    }

    /** Everything this service holds about a guest, decrypted, as JSON (audited, without the data). */
    public Uni<JsonObject> export(UUID guestId, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> privacy.guest(c, guestId).chain(found -> {
            PrivacyRepository.StoredGuest guest = found.orElseThrow(() -> ProblemException.notFound("the guest"));
            String lookup = guest.emailLookup();
            JsonObject data = new JsonObject().put("guestId", guestId.toString()).put("name", guest.name())
                    .put("anonymized", guest.anonymized()).put("createdAt", guest.createdAt().toString());
            if (!guest.anonymized()) {
                data.put("email", guestData.open(caller.tenantId(), lookup, "email", guest.emailSealed()))
                        .put("phone", guestData.open(caller.tenantId(), lookup, "phone", guest.phoneSealed()))
                        .put("dietaryNeeds", guestData.open(caller.tenantId(), lookup, "dietary", guest.dietarySealed()))
                        .put("allergies", guestData.open(caller.tenantId(), lookup, "allergies", guest.allergiesSealed()));
            }
            return privacy.bookingsOf(c, guestId, lookup)
                    .map(bookings -> {
                        JsonArray list = new JsonArray();
                        bookings.forEach(b -> list.add(new JsonObject().put("bookingId", b.id().toString()).put("status", b.status())
                                .put("seats", b.seats()).put("amountMinor", b.amountMinor()).put("currency", b.currency())
                                .put("offering", b.offering()).put("startsAt", b.startsAt().toString()).put("bookedAt", b.bookedAt().toString())));
                        return data.put("bookings", list);
                    })
                    .call(() -> audit.record(c, new AuditEvent(caller.tenantId(), "guest.exported", AuditEvent.Actor.of(caller, clientIp),
                            "guest", guestId.toString(), AuditEvent.SUCCESS, null, null, null)));
        }));
    }

    /** Files an erasure request, due after {@link PrivacySettings#erasureDue()}; the worker carries it out (usually within a minute). */
    public Uni<PrivacyRepository.ErasureRequest> requestErasure(UUID guestId, String clientIp) {
        TenantContext caller = currentTenant.get();
        UUID id = UUID.randomUUID();
        return tx.inTenant(caller, c -> privacy.guestExists(c, guestId)
                .chain(exists -> {
                    if (!exists) {
                        throw ProblemException.notFound("the guest");
                    }
                    return privacy.insertErasureRequest(c, id, caller.tenantId(), guestId, caller.userId(), settings.erasureDue());
                })
                .call(request -> audit.record(c, new AuditEvent(caller.tenantId(), "guest.erasure_requested", AuditEvent.Actor.of(caller, clientIp),
                        "guest", guestId.toString(), AuditEvent.SUCCESS, null, null,
                        new JsonObject().put("erasureRequest", id.toString()).put("dueAt", request.dueAt().toString())))));
    }

    public Uni<List<PrivacyRepository.ErasureRequest>> erasureRequests() {
        return tx.inTenant(currentTenant.get(), c -> privacy.erasureRequests(c));
    }
}
