package io.palisade.webhook.deliveries;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The scope's tenant's deliveries (RLS): the delivery log, its attempts and replays for staff; new messages and
 * their deliveries for the event fan-out, under the worker scope of the event's tenant.
 */
@ApplicationScoped
public class DeliveryRepository {

    public record Delivery(UUID id, UUID endpointId, String messageId, String eventId, String eventType, String status, int attempts,
            OffsetDateTime nextAttemptAt, OffsetDateTime lastAttemptAt, Integer lastStatusCode, String lastError, OffsetDateTime createdAt) {
    }

    public record Attempt(int attempt, OffsetDateTime attemptedAt, String outcome, Integer statusCode, Integer latencyMs, String responseExcerpt,
            String error) {
    }

    private static final String DELIVERY = "select d.id, d.endpoint_id, d.message_id, m.event_id, m.event_type, d.status, d.attempts,"
            + " d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error, d.created_at"
            + " from webhook.deliveries d join webhook.messages m on m.id = d.message_id";

    public Uni<List<Delivery>> list(SqlConnection c, UUID endpointId, String status, OffsetDateTime afterTime, UUID afterId, int limit) {
        return c.preparedQuery(DELIVERY + " where d.endpoint_id = $1 and ($2::text is null or d.status = $2)"
                + " and ($3::timestamptz is null or (d.created_at, d.id) < ($3, $4)) order by d.created_at desc, d.id desc" + RowLimit.of(limit))
                .execute(Tuple.from(Arrays.asList(endpointId, status, afterTime, afterId))).map(rows -> all(rows, DeliveryRepository::delivery));
    }

    public Uni<Optional<Delivery>> find(SqlConnection c, UUID endpointId, UUID deliveryId) {
        return c.preparedQuery(DELIVERY + " where d.endpoint_id = $1 and d.id = $2").execute(Tuple.of(endpointId, deliveryId))
                .map(rows -> first(rows).map(DeliveryRepository::delivery));
    }

    public Uni<List<Attempt>> attempts(SqlConnection c, UUID deliveryId) {
        return c.preparedQuery("select attempt, attempted_at, outcome, status_code, latency_ms, response_excerpt, error from webhook.attempts"
                + " where delivery_id = $1 order by attempt").execute(Tuple.of(deliveryId))
                .map(rows -> all(rows, r -> new Attempt(r.getInteger("attempt"), r.getOffsetDateTime("attempted_at"), r.getString("outcome"),
                        r.getInteger("status_code"), r.getInteger("latency_ms"), r.getString("response_excerpt"), r.getString("error"))));
    }

    /**
     * Sets one delivery due now with the retry schedule started again, unless an attempt is in flight (its lease
     * has not run out); returns whether it was set.
     */
    public Uni<Boolean> replay(SqlConnection c, UUID endpointId, UUID deliveryId) {
        return c.preparedQuery("update webhook.deliveries set status = 'pending', next_attempt_at = now(), schedule_base = attempts"
                + " where endpoint_id = $1 and id = $2 and (locked_until is null or locked_until <= now())")
                .execute(Tuple.of(endpointId, deliveryId)).map(rows -> rows.rowCount() == 1);
    }

    /** Sets every failed delivery of the endpoint made since {@code since} due now, schedules started again; returns how many. */
    public Uni<Integer> replayFailed(SqlConnection c, UUID endpointId, OffsetDateTime since) {
        return c.preparedQuery("update webhook.deliveries set status = 'pending', next_attempt_at = now(), schedule_base = attempts"
                + " where endpoint_id = $1 and status = 'failed' and created_at >= $2").execute(Tuple.of(endpointId, since))
                .map(rows -> rows.rowCount());
    }

    /** A domain event's message: the event's id and type, and the body every attempt signs. */
    public record NewMessage(String eventId, String eventType, String body) {
    }

    /**
     * Stores a tenant's messages, each once per event id whatever the redeliveries, and a delivery of each new one to
     * every enabled endpoint of the tenant subscribed to its type, due now; answers the deliveries made. Due a
     * microsecond apart in the order given (the last now), so the claim, which takes the due queue in its order, sends
     * them in the order they came.
     */
    public Uni<Integer> storeMessages(SqlConnection c, UUID tenantId, List<NewMessage> messages) {
        // An event given twice counts once, at its first place.
        return c.preparedQuery("with given as (select distinct on (g.event_id) g.* from unnest($2::text[], $3::text[], $4::text[]) with ordinality"
                + " as g (event_id, event_type, body, position) order by g.event_id, g.position),"
                + " message as (insert into webhook.messages (id, tenant_id, event_id, event_type, body)"
                + " select gen_random_uuid(), $1, g.event_id, g.event_type, g.body from given g order by g.position"
                + " on conflict (tenant_id, event_id) do nothing returning id, event_id, event_type)"
                + " insert into webhook.deliveries (id, tenant_id, endpoint_id, message_id, status, next_attempt_at)"
                + " select gen_random_uuid(), e.tenant_id, e.id, m.id, 'pending', now() - (cardinality($2::text[]) - g.position) * interval '1 microsecond'"
                + " from message m join given g on g.event_id = m.event_id join webhook.endpoints e"
                + " on e.tenant_id = $1 and e.enabled and m.event_type = any(e.event_types)")
                .execute(Tuple.of(tenantId, messages.stream().map(NewMessage::eventId).toArray(String[]::new),
                        messages.stream().map(NewMessage::eventType).toArray(String[]::new), messages.stream().map(NewMessage::body).toArray(String[]::new)))
                .map(rows -> rows.rowCount());
    }

    /** A delivery leased to this worker, with its endpoint's address and sealed secrets and the message to send. */
    public record Claimed(UUID deliveryId, UUID lease, UUID tenantId, UUID endpointId, String url, String secretSealed, String previousSecretSealed,
            UUID messageId, String eventType, String body, int attempts, int scheduleBase, String traceparent) {
    }

    /** What the claim leased: a delivery of a tenant, and the lease that records its attempt. */
    public record Lease(UUID deliveryId, UUID lease, UUID tenantId) {
    }

    /**
     * Leases up to {@code limit} due deliveries of every tenant for {@code leaseSeconds}, at most {@code perEndpoint} in
     * flight per endpoint (the allow-listed definer {@code webhook.claim_due}): which, and whose, nothing more.
     */
    public Uni<List<Lease>> claimDue(SqlConnection c, int limit, int perEndpoint, int leaseSeconds) {
        return c.preparedQuery("select delivery_id, lease, tenant_id from webhook.claim_due($1, $2, $3)").execute(Tuple.of(limit, perEndpoint, leaseSeconds))
                .map(rows -> all(rows, r -> new Lease(r.getUUID("delivery_id"), r.getUUID("lease"), r.getUUID("tenant_id"))));
    }

    /**
     * The scope's tenant's leased deliveries among {@code deliveryIds}, with what an attempt needs: the endpoint's
     * address and secrets (the previous one while it still counts) and the message. The deliveries are found by their
     * ids first (materialized): left to itself, the planner went from the tenant's endpoints through every delivery of
     * each, a read that grew with the history (2.9 ms at 16,000 deliveries, against 0.1 ms by id).
     */
    public Uni<List<Claimed>> leased(SqlConnection c, List<UUID> deliveryIds) {
        return c.preparedQuery("with d as materialized (select id, lease, tenant_id, endpoint_id, message_id, attempts, schedule_base"
                + " from webhook.deliveries where id = any($1) and lease is not null)"
                + " select d.id, d.lease, d.tenant_id, d.endpoint_id, e.url, e.secret_sealed,"
                + " case when e.previous_secret_expires_at > now() then e.previous_secret_sealed end as previous_secret_sealed,"
                + " d.message_id, m.event_type, m.body, d.attempts, d.schedule_base, m.traceparent"
                + " from d join webhook.endpoints e on e.id = d.endpoint_id join webhook.messages m on m.id = d.message_id").execute(Tuple.of(deliveryIds.toArray(UUID[]::new)))
                .map(rows -> all(rows, r -> new Claimed(r.getUUID("id"), r.getUUID("lease"), r.getUUID("tenant_id"), r.getUUID("endpoint_id"),
                        r.getString("url"), r.getString("secret_sealed"), r.getString("previous_secret_sealed"), r.getUUID("message_id"),
                        r.getString("event_type"), r.getString("body"), r.getInteger("attempts"), r.getInteger("schedule_base"), r.getString("traceparent"))));
    }

    /** A successful attempt, still to be recorded. */
    public record Success(UUID deliveryId, UUID lease, int statusCode, Integer latencyMs, String excerpt) {
    }

    /**
     * Records successful attempts of the scope's tenant in one statement, each as {@link #recordAttempt} would: only
     * those still holding their delivery's lease, with their log rows and the end of their endpoints' failing streaks;
     * the deliveries it recorded. A delivery is found by its key and lease only (a lease is held only while pending, a
     * constraint): no other condition lets PostgreSQL read it through the pending deliveries' index (V8).
     */
    public Uni<Set<UUID>> recordSuccesses(SqlConnection c, List<Success> successes) {
        return c.preparedQuery("with done as (select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::text[])"
                + " as t (id, lease, status_code, latency_ms, excerpt)),"
                + " moved as (update webhook.deliveries d set attempts = d.attempts + 1, last_attempt_at = now(), last_status_code = t.status_code,"
                + " last_error = null, locked_until = null, lease = null, status = 'succeeded', next_attempt_at = null"
                + " from done t where d.id = t.id and d.lease = t.lease returning d.id, d.tenant_id, d.endpoint_id, d.attempts),"
                + " logged as (insert into webhook.attempts (id, tenant_id, delivery_id, attempt, outcome, status_code, latency_ms, response_excerpt)"
                + " select gen_random_uuid(), m.tenant_id, m.id, m.attempts, 'succeeded', t.status_code, t.latency_ms, t.excerpt"
                + " from moved m join done t on t.id = m.id),"
                + " cleared as (update webhook.endpoints set failing_since = null"
                + " where failing_since is not null and id in (select endpoint_id from moved))"
                + " select id from moved")
                .execute(Tuple.of(successes.stream().map(Success::deliveryId).toArray(UUID[]::new),
                        successes.stream().map(Success::lease).toArray(UUID[]::new),
                        successes.stream().map(Success::statusCode).toArray(Integer[]::new),
                        successes.stream().map(Success::latencyMs).toArray(Integer[]::new),
                        successes.stream().map(Success::excerpt).toArray(String[]::new)))
                .map(rows -> Set.copyOf(all(rows, r -> r.getUUID("id"))));
    }

    /** A finished attempt's delivery: its tenant's endpoint and how many attempts it has had, this one included. */
    public record Attempted(UUID endpointId, int attempts) {
    }

    /**
     * Moves a delivery on after an attempt and logs the attempt, in one statement: due again at {@code nextAttemptAt},
     * or ended with {@code finalStatus}; a success also ends its endpoint's failing streak. Only the attempt holding the delivery's current lease may (a late result of an
     * attempt whose lease ran out and was taken over changes and logs nothing, so a result never overwrites a newer
     * one); empty when it no longer holds it.
     */
    public Uni<Optional<Attempted>> recordAttempt(SqlConnection c, UUID deliveryId, UUID lease, String outcome, Integer statusCode,
            Integer latencyMs, String excerpt, String error, OffsetDateTime nextAttemptAt, String finalStatus) {
        return c.preparedQuery("with moved as (update webhook.deliveries set attempts = attempts + 1, last_attempt_at = now(),"
                + " last_status_code = $3, last_error = $4, locked_until = null, lease = null,"
                + " status = case when $5::timestamptz is null then $6 else 'pending' end, next_attempt_at = $5"
                + " where id = $1 and lease = $2 returning id, tenant_id, endpoint_id, attempts),"
                + " logged as (insert into webhook.attempts (id, tenant_id, delivery_id, attempt, outcome, status_code, latency_ms,"
                + " response_excerpt, error) select gen_random_uuid(), tenant_id, id, attempts, $7, $3, $8, $9, $4 from moved),"
                + " cleared as (update webhook.endpoints set failing_since = null"
                + " where $7 = 'succeeded' and failing_since is not null and id = (select endpoint_id from moved))"
                + " select endpoint_id, attempts from moved")
                .execute(Tuple.from(Arrays.asList(deliveryId, lease, statusCode, error, nextAttemptAt, finalStatus, outcome, latencyMs, excerpt)))
                .map(rows -> first(rows).map(r -> new Attempted(r.getUUID("endpoint_id"), r.getInteger("attempts"))));
    }

    private static Delivery delivery(Row r) {
        return new Delivery(r.getUUID("id"), r.getUUID("endpoint_id"), "msg_" + r.getUUID("message_id"), r.getString("event_id"), r.getString("event_type"),
                r.getString("status"), r.getInteger("attempts"), r.getOffsetDateTime("next_attempt_at"), r.getOffsetDateTime("last_attempt_at"),
                r.getInteger("last_status_code"), r.getString("last_error"), r.getOffsetDateTime("created_at"));
    }
}
