package io.palisade.booking.notifications;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scope's tenant's queued messages to guests (RLS); the sender works under the worker scope of each message's tenant. */
@ApplicationScoped
public class NotificationRepository {

    /** At most this many attempts per message: after the last failed one it stays failed. */
    static final int MAX_ATTEMPTS = 5;

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
