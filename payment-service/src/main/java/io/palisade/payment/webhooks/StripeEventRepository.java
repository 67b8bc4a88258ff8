package io.palisade.payment.webhooks;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The stored Stripe events, as the worker finishes them under the worker scope of the event's tenant. */
@ApplicationScoped
public class StripeEventRepository {

    /** Records what the event did; it is not claimed again. */
    public Uni<Void> finish(SqlConnection c, String eventId, String outcome) {
        return c.preparedQuery("update payment.stripe_events set processed_at = now(), outcome = $2, lease_until = null where event_id = $1")
                .execute(Tuple.of(eventId, outcome)).replaceWithVoid();
    }
}
