package io.palisade.booking.notifications;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scope's tenant's queued messages to guests (RLS); the sender works under the worker scope of each message's tenant. */
@ApplicationScoped
public class NotificationRepository {

    /** At most this many attempts per message: after the last failed one it stays failed. */
    static final int MAX_ATTEMPTS = 5;

    /** A message claimed for sending, with what its mail says. */
    public record Due(UUID id, UUID tenantId, String kind, String guestName, String emailLookup, String emailSealed, String offering,
            OffsetDateTime startsAt, int seats, long amountMinor, String currency) {
    }

    /** A message leased for sending: which, and whose. */
    public record Lease(UUID id, UUID tenantId) {
    }

    /**
     * Leases up to {@code limit} due messages of every tenant for {@code leaseSeconds} (the allow-listed definer
     * {@code booking.claim_notifications}): which, and whose, nothing more.
     */
    public Uni<List<Lease>> claimDue(SqlConnection c, int limit, int leaseSeconds) {
        return c.preparedQuery("select id, tenant_id from booking.claim_notifications($1, $2, $3)").execute(Tuple.of(limit, leaseSeconds, MAX_ATTEMPTS))
                .map(rows -> all(rows, r -> new Lease(r.getUUID("id"), r.getUUID("tenant_id"))));
    }

    /** The scope's tenant's messages among {@code ids} still being sent, with what their mail says. */
    public Uni<List<Due>> sending(SqlConnection c, List<UUID> ids) {
        return c.preparedQuery("select n.id, n.tenant_id, n.kind, k.name, k.email_lookup, k.email_sealed, o.name as offering, s.starts_at, b.seats,"
                + " b.amount_minor, b.currency from booking.notifications n join booking.bookings b on b.id = n.booking_id"
                + " join booking.slots s on s.id = b.slot_id join booking.offerings o on o.id = s.offering_id"
                + " join booking.booking_contacts k on k.booking_id = n.booking_id where n.id = any($1) and n.status = 'sending'")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> all(rows, r -> new Due(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("kind"), r.getString("name"),
                        r.getString("email_lookup"), r.getString("email_sealed"), r.getString("offering"), r.getOffsetDateTime("starts_at"),
                        r.getInteger("seats"), r.getLong("amount_minor"), r.getString("currency"))));
    }

    /**
     * Marks a claimed message sent, or puts it back for another attempt (failed after the last). Only while it is
     * still being sent: a message the booking's cancellation dropped meanwhile stays dropped.
     */
    public Uni<Void> finish(SqlConnection c, UUID id, boolean sent) {
        return c.preparedQuery("update booking.notifications set status = case when $2 then 'sent' when attempts >= $3 then 'failed'"
                + " else 'pending' end, sent_at = case when $2 then now() end, lease_until = null where id = $1 and status = 'sending'")
                .execute(Tuple.of(id, sent, MAX_ATTEMPTS)).replaceWithVoid();
    }
}
