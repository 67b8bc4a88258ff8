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

    /**
     * Claims up to {@code limit} due messages of every tenant for {@code leaseSeconds} (the allow-listed definer
     * {@code booking.claim_notifications}); each is then finished under its own tenant's worker scope.
     */
    public Uni<List<Due>> claimDue(SqlConnection c, int limit, int leaseSeconds) {
        return c.preparedQuery("select * from booking.claim_notifications($1, $2, $3)").execute(Tuple.of(limit, leaseSeconds, MAX_ATTEMPTS))
                .map(rows -> all(rows, r -> new Due(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("kind"), r.getString("guest_name"),
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
