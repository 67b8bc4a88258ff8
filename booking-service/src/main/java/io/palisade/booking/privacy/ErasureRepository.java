package io.palisade.booking.privacy;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Carrying out an erasure request, under the worker scope of its tenant: each statement reaches that tenant's rows alone. */
@ApplicationScoped
public class ErasureRepository {

    public record Due(UUID tenantId, UUID requestId) {
    }

    public record Pending(UUID id, UUID guestId, UUID requestedBy, OffsetDateTime requestedAt) {
    }

    /** Pending requests of every tenant, oldest due first: the one claim across tenants (booking.due_erasures). */
    public Uni<List<Due>> due(SqlConnection c, int limit) {
        return c.preparedQuery("select tenant_id, request_id from booking.due_erasures($1)").execute(Tuple.of(limit))
                .map(rows -> all(rows, r -> new Due(r.getUUID("tenant_id"), r.getUUID("request_id"))));
    }

    /** The request, if still pending, locked; another instance working on it skips it. */
    public Uni<Optional<Pending>> lockPending(SqlConnection c, UUID requestId) {
        return c.preparedQuery("select id, guest_id, requested_by, requested_at from booking.erasure_requests"
                + " where id = $1 and status = 'pending' for update skip locked").execute(Tuple.of(requestId))
                .map(rows -> first(rows).map(r -> new Pending(r.getUUID("id"), r.getUUID("guest_id"), r.getUUID("requested_by"),
                        r.getOffsetDateTime("requested_at"))));
    }

    /**
     * Erasure reaches what was given under the guest's email with any booking, the guest's own or not: the guest, the
     * contact details, waiver signatures and pending messages of those bookings, and the email's hold attempts.
     */
    public Uni<Void> anonymize(SqlConnection c, UUID guestId) {
        Tuple guest = Tuple.of(guestId);
        return c.preparedQuery("with guest as (select email_lookup from booking.guests where id = $1)"
                + " select array(select b.id from booking.bookings b where b.guest_id = $1 or b.id in (select k.booking_id"
                + " from booking.booking_contacts k where k.email_lookup = (select email_lookup from guest))) as bookings,"
                + " (select email_lookup from guest) as email_lookup").execute(guest)
                .chain(rows -> {
                    var found = rows.iterator().next();
                    Tuple bookings = Tuple.of((Object) found.getArrayOfUUIDs("bookings"));
                    return c.preparedQuery("delete from booking.hold_attempts where email_key = $1").execute(Tuple.of(found.getString("email_lookup")))
                            .chain(() -> c.preparedQuery("update booking.booking_contacts set name = 'anonymized', email_lookup = 'anonymized:' || booking_id,"
                                    + " email_sealed = 'anonymized', phone_sealed = null, dietary_sealed = null, allergies_sealed = null"
                                    + " where booking_id = any($1)").execute(bookings))
                            .chain(() -> c.preparedQuery("update booking.guests set name = 'anonymized', email_lookup = 'anonymized:' || id,"
                                    + " email_sealed = 'anonymized', phone_sealed = null, dietary_sealed = null, allergies_sealed = null,"
                                    + " anonymized_at = coalesce(anonymized_at, now()), updated_at = now() where id = $1").execute(guest))
                            .chain(() -> c.preparedQuery("update booking.waiver_signatures set signer_name = 'anonymized' where booking_id = any($1)")
                                    .execute(bookings))
                            .chain(() -> c.preparedQuery("update booking.notifications set status = 'cancelled'"
                                    + " where booking_id = any($1) and status in ('pending', 'sending')").execute(bookings));
                })
                .replaceWithVoid();
    }

    public Uni<Void> complete(SqlConnection c, UUID requestId) {
        return c.preparedQuery("update booking.erasure_requests set status = 'completed', completed_at = now() where id = $1")
                .execute(Tuple.of(requestId)).replaceWithVoid();
    }
}
