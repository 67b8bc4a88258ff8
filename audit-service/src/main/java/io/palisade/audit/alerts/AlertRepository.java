package io.palisade.audit.alerts;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.events.OperationsContract;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Alerts' SQL: the scope's tenant's mail destination (RLS), and per chain and kind the alert state that rate-limits
 * alerts across every instance, read and written under the chain's scope. Times are the clock's, not the transaction
 * start's (which may have waited on the chain's lock).
 */
@ApplicationScoped
public class AlertRepository {

    public record Destination(String email) {
    }

    /** A chain's alert state of one kind: alerts held since the last one, and whether one went out within the interval. */
    public record State(int held, boolean alertedLately) {
    }

    /** A chain and kind with alerts held past their interval. */
    public record Held(String chain, String kind) {
    }

    public Uni<Optional<Destination>> destination(SqlConnection c) {
        return c.query("select email from audit.alert_destinations").execute().map(rows -> first(rows).map(r -> new Destination(r.getString("email"))));
    }

    public Uni<Void> setDestination(SqlConnection c, UUID tenantId, String email, UUID setBy) {
        return c.preparedQuery("insert into audit.alert_destinations (tenant_id, email, updated_by) values ($1, $2, $3)"
                + " on conflict (tenant_id) do update set email = excluded.email, updated_at = now(), updated_by = excluded.updated_by")
                .execute(Tuple.of(tenantId, email, setBy)).replaceWithVoid();
    }

    /** Whether there was one. */
    public Uni<Boolean> removeDestination(SqlConnection c) {
        return c.query("delete from audit.alert_destinations").execute().map(rows -> rows.rowCount() > 0);
    }

    /** Entries of the action that arrived in the chain within the interval (arrival, not occurrence). */
    public Uni<Long> recentEntries(SqlConnection c, String chain, String action, long intervalMillis) {
        return c.preparedQuery("select count(*) as recent from audit.ledger where chain_key = $1 and action = $2"
                + " and received_at > clock_timestamp() - $3 * interval '1 millisecond'").execute(Tuple.of(chain, action, intervalMillis))
                .map(rows -> rows.iterator().next().getLong("recent"));
    }

    /** The state of the chain's alerts of this kind (created on first use), locked until the transaction ends. */
    public Uni<State> lockState(SqlConnection c, String chain, String kind, long intervalMillis) {
        return c.preparedQuery("insert into audit.alert_state (chain_key, kind) values ($1, $2) on conflict do nothing").execute(Tuple.of(chain, kind))
                .chain(() -> c.preparedQuery("select held, last_alert_at > clock_timestamp() - $3 * interval '1 millisecond' as alerted_lately"
                        + " from audit.alert_state where chain_key = $1 and kind = $2 for update").execute(Tuple.of(chain, kind, intervalMillis)))
                .map(rows -> rows.iterator().next())
                .map(r -> new State(r.getInteger("held"), Boolean.TRUE.equals(r.getBoolean("alerted_lately"))));
    }

    public Uni<Void> hold(SqlConnection c, String chain, String kind) {
        return c.preparedQuery("update audit.alert_state set held = held + 1 where chain_key = $1 and kind = $2")
                .execute(Tuple.of(chain, kind)).replaceWithVoid();
    }

    public Uni<Void> markAlerted(SqlConnection c, String chain, String kind) {
        return c.preparedQuery("update audit.alert_state set last_alert_at = clock_timestamp(), held = 0 where chain_key = $1 and kind = $2")
                .execute(Tuple.of(chain, kind)).replaceWithVoid();
    }

    /** The ledger entry that raises an alert, as the alert names it. */
    public Uni<OperationsContract.AlertTrigger> trigger(SqlConnection c, UUID eventId) {
        return c.preparedQuery("select event_id, action, entry->'actor' as actor, entry->'target' as target, outcome, occurred_at, chain_seq"
                + " from audit.ledger where event_id = $1").execute(Tuple.of(eventId))
                .map(rows -> rows.iterator().next())
                .map(r -> new OperationsContract.AlertTrigger(r.getUUID("event_id"), r.getString("action"), map(r.getJsonObject("actor")),
                        map(r.getJsonObject("target")), r.getString("outcome"), r.getOffsetDateTime("occurred_at"), r.getLong("chain_seq")));
    }

    private static Map<String, Object> map(JsonObject json) {
        return json == null ? null : json.getMap();
    }

    /** Chains and kinds of every tenant with alerts held past the interval (the allow-listed definer {@code audit.held_alerts}). */
    public Uni<List<Held>> heldPastInterval(SqlConnection c, long intervalMillis, int limit) {
        return c.preparedQuery("select chain_key, kind from audit.held_alerts($1 * interval '1 millisecond', $2)")
                .execute(Tuple.of(intervalMillis, limit)).map(rows -> all(rows, r -> new Held(r.getString("chain_key"), r.getString("kind"))));
    }

    /** How many are held, if still held past the interval, locked until the transaction ends. */
    public Uni<Optional<Integer>> lockHeldPastInterval(SqlConnection c, Held held, long intervalMillis) {
        return c.preparedQuery("select held from audit.alert_state where chain_key = $1 and kind = $2 and held > 0"
                + " and last_alert_at <= clock_timestamp() - $3 * interval '1 millisecond' for update")
                .execute(Tuple.of(held.chain(), held.kind(), intervalMillis))
                .map(rows -> first(rows).map(r -> r.getInteger("held")));
    }
}
