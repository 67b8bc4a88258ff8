package io.palisade.booking.privacy;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

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
import io.vertx.mutiny.sqlclient.Tuple;

/** Guests' privacy for the tenant's owners and admins: find a guest, export their data, erase it. */
@ApplicationScoped
public class PrivacyService {

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final GuestData guestData;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.privacy.erasure-due", defaultValue = "P30D")
    Duration erasureDue;

    PrivacyService(TenantTransactions tx, CurrentTenant currentTenant, GuestData guestData, AuditLog audit) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.guestData = guestData;
        this.audit = audit;
    }

    public record GuestSummary(UUID id, String name, boolean anonymized, OffsetDateTime createdAt) {
    }

    public record ErasureRequest(UUID id, UUID guestId, String status, OffsetDateTime requestedAt, OffsetDateTime dueAt,
            OffsetDateTime completedAt) {
    }

    /** Finds a guest by email without decrypting anything: by the email's lookup value in this tenant. */
    public Uni<List<GuestSummary>> findByEmail(String email) {
        TenantContext caller = currentTenant.get();
        String lookup = guestData.lookup(caller.tenantId(), email);
        return tx.inTenant(caller, c -> c.preparedQuery("select id, name, anonymized_at, created_at from booking.guests where email_lookup = $1")
                .execute(Tuple.of(lookup))
                .map(rows -> all(rows, r -> new GuestSummary(r.getUUID("id"), r.getString("name"), r.getValue("anonymized_at") != null,
                        r.getOffsetDateTime("created_at")))));
    }

    /** Everything this service holds about a guest, decrypted, as JSON (audited, without the data). */
    public Uni<JsonObject> export(UUID guestId, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> c.preparedQuery("select name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed,"
                + " anonymized_at, created_at from booking.guests where id = $1").execute(Tuple.of(guestId))
                .chain(rows -> {
                    var guest = first(rows).orElseThrow(() -> ProblemException.notFound("the guest"));
                    boolean anonymized = guest.getValue("anonymized_at") != null;
                    String lookup = guest.getString("email_lookup");
                    JsonObject data = new JsonObject().put("guestId", guestId.toString()).put("name", guest.getString("name"))
                            .put("anonymized", anonymized).put("createdAt", guest.getOffsetDateTime("created_at").toString());
                    if (!anonymized) {
                        data.put("email", guestData.open(caller.tenantId(), lookup, "email", guest.getString("email_sealed")))
                                .put("phone", guestData.open(caller.tenantId(), lookup, "phone", guest.getString("phone_sealed")))
                                .put("dietaryNeeds", guestData.open(caller.tenantId(), lookup, "dietary", guest.getString("dietary_sealed")))
                                .put("allergies", guestData.open(caller.tenantId(), lookup, "allergies", guest.getString("allergies_sealed")));
                    }
                    return c.preparedQuery("select b.id, b.status, b.seats, b.amount_minor, b.currency, b.created_at, s.starts_at, o.name"
                            + " from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id"
                            + " join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id"
                            // The guest's bookings, and those others made giving the guest's email (kept apart from the guest).
                            + " where b.guest_id = $1 or b.id in (select k.booking_id from booking.booking_contacts k where k.email_lookup = $2)"
                            + " order by b.created_at").execute(Tuple.of(guestId, lookup))
                            .map(bookings -> {
                                JsonArray list = new JsonArray();
                                bookings.forEach(b -> list.add(new JsonObject(Map.of("bookingId", b.getUUID("id").toString(),
                                        "status", b.getString("status"), "seats", b.getInteger("seats"), "amountMinor", b.getLong("amount_minor"),
                                        "currency", b.getString("currency"), "offering", b.getString("name"),
                                        "startsAt", b.getOffsetDateTime("starts_at").toString(), "bookedAt", b.getOffsetDateTime("created_at").toString()))));
                                return data.put("bookings", list);
                            })
                            .call(() -> audit.record(c, new AuditEvent(caller.tenantId(), "guest.exported", AuditEvent.Actor.of(caller, clientIp),
                                    "guest", guestId.toString(), AuditEvent.SUCCESS, null, null, null)));
                }));
    }

    /** Files an erasure request, due in 30 days; the worker carries it out (usually within a minute). */
    public Uni<ErasureRequest> requestErasure(UUID guestId, String clientIp) {
        TenantContext caller = currentTenant.get();
        UUID id = UUID.randomUUID();
        return tx.inTenant(caller, c -> c.preparedQuery("select 1 from booking.guests where id = $1").execute(Tuple.of(guestId))
                .chain(found -> {
                    if (found.size() == 0) {
                        throw ProblemException.notFound("the guest");
                    }
                    return c.preparedQuery("insert into booking.erasure_requests (id, tenant_id, guest_id, requested_by, due_at)"
                            + " values ($1, $2, $3, $4, now() + make_interval(secs => $5))"
                            + " returning id, guest_id, status, requested_at, due_at, completed_at")
                            .execute(Tuple.of(id, caller.tenantId(), guestId, caller.userId(), (double) erasureDue.toSeconds()));
                })
                .map(rows -> request(rows.iterator().next()))
                .call(request -> audit.record(c, new AuditEvent(caller.tenantId(), "guest.erasure_requested", AuditEvent.Actor.of(caller, clientIp),
                        "guest", guestId.toString(), AuditEvent.SUCCESS, null, null,
                        new JsonObject().put("erasureRequest", id.toString()).put("dueAt", request.dueAt().toString())))));
    }

    public Uni<List<ErasureRequest>> erasureRequests() {
        return tx.inTenant(currentTenant.get(), c -> c.query("select id, guest_id, status, requested_at, due_at, completed_at"
                + " from booking.erasure_requests order by requested_at desc limit 200").execute()
                .map(rows -> all(rows, PrivacyService::request)));
    }

    private static ErasureRequest request(io.vertx.mutiny.sqlclient.Row r) {
        return new ErasureRequest(r.getUUID("id"), r.getUUID("guest_id"), r.getString("status"), r.getOffsetDateTime("requested_at"),
                r.getOffsetDateTime("due_at"), r.getOffsetDateTime("completed_at"));
    }
}
