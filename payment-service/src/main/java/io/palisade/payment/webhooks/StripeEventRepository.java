package io.palisade.payment.webhooks;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The stored Stripe events: recorded once each as they arrive (before any scope exists, through the one definer that
 * files an event under the tenant whose account it names), finished by the worker under that tenant's scope.
 */
@ApplicationScoped
public class StripeEventRepository {

    /** Stores a verified event once per event id; whether it was new. */
    public Uni<Boolean> record(SqlConnection c, String eventId, String account, String type, String objectId, JsonObject event) {
        return c.preparedQuery("select payment.record_stripe_event($1, $2, $3, $4, $5) as fresh")
                .execute(Tuple.from(Arrays.asList(eventId, account, type, objectId, event)))
                .map(rows -> rows.iterator().next().getBoolean("fresh"));
    }

    /** A claimed event: the tenant whose connected account it names (none if no tenant's), and what it is about. */
    public record Claimed(String eventId, UUID tenantId, String account, String type, String objectId) {
    }

    /** What the claim leased: an event, and the tenant it was stored for (none: of no account we know, finished already). */
    public record Lease(String eventId, UUID tenantId) {
    }

    /**
     * Leases up to {@code limit} unprocessed events of every tenant for {@code leaseSeconds} (the allow-listed definer
     * {@code payment.claim_stripe_events}): which, and whose, nothing more.
     */
    public Uni<List<Lease>> claim(SqlConnection c, int limit, int leaseSeconds) {
        return c.preparedQuery("select event_id, tenant_id from payment.claim_stripe_events($1, $2)").execute(Tuple.of(limit, leaseSeconds))
                .map(rows -> all(rows, r -> new Lease(r.getString("event_id"), r.getUUID("tenant_id"))));
    }

    /** A leased event of the scope's tenant, with what it is about; empty if it was finished meanwhile. */
    public Uni<Optional<Claimed>> claimed(SqlConnection c, String eventId) {
        return c.preparedQuery("select event_id, tenant_id, account_id, type, object_id from payment.stripe_events"
                + " where event_id = $1 and processed_at is null").execute(Tuple.of(eventId))
                .map(rows -> first(rows).map(r -> new Claimed(r.getString("event_id"), r.getUUID("tenant_id"), r.getString("account_id"),
                        r.getString("type"), r.getString("object_id"))));
    }

    /** Records what the event did; it is not claimed again. */
    public Uni<Void> finish(SqlConnection c, String eventId, String outcome) {
        return c.preparedQuery("update payment.stripe_events set processed_at = now(), outcome = $2, lease_until = null where event_id = $1")
                .execute(Tuple.of(eventId, outcome)).replaceWithVoid();
    }
}
