package io.palisade.audit.alerts;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.audit.chains.Chains;
import io.palisade.common.db.Rows;
import io.palisade.common.outbox.Outbox;
import static io.palisade.common.events.OperationsContract.AUDIT_ALERT;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Raises alerts for critical entries, in the transaction that appended them (so an alert goes out exactly when its
 * entry is in the ledger), rate-limited in the database; and reports held alerts once their interval has passed.
 */
@ApplicationScoped
public class Alerts {

    private static final Logger LOG = Logger.getLogger(Alerts.class);

    private final AlertRules rules;
    private final TenantTransactions tx;
    private final Outbox outbox;

    Alerts(AlertRules rules, TenantTransactions tx, Outbox outbox) {
        this.rules = rules;
        this.tx = tx;
        this.outbox = outbox;
    }

    /** Whether an alert rule watches the action: its entries are considered one by one as they are appended. */
    public boolean watches(String action) {
        return rules.forAction(action).isPresent();
    }

    /**
     * For a newly appended entry, on the connection that appended it (under its chain's scope): with at least the
     * rule's threshold of entries of its action in the chain that arrived within the interval (arrival, not occurrence:
     * events from several services arrive out of order), an alert is raised, unless one of that kind went out within
     * the interval, in which case it is held and counted. Times are the clock's, not the transaction's start (which may
     * have waited on the chain's lock).
     */
    public Uni<Void> consider(SqlConnection c, String chain, UUID tenantId, UUID eventId, String action) {
        return rules.forAction(action).map(rule -> {
            Tuple window = Tuple.of(chain, rule.action(), rules.intervalMillis());
            return c.preparedQuery("select count(*) as recent from audit.ledger where chain_key = $1 and action = $2"
                    + " and received_at > clock_timestamp() - $3 * interval '1 millisecond'").execute(window)
                    .map(rows -> rows.iterator().next().getLong("recent"))
                    .chain(recent -> recent < rule.threshold() ? Uni.createFrom().voidItem() : c.preparedQuery(
                            "insert into audit.alert_state (chain_key, kind) values ($1, $2) on conflict do nothing").execute(Tuple.of(chain, rule.action()))
                            .chain(() -> c.preparedQuery("select held, last_alert_at > clock_timestamp() - $3 * interval '1 millisecond' as alerted_lately"
                                    + " from audit.alert_state where chain_key = $1 and kind = $2 for update").execute(window))
                            .map(rows -> rows.iterator().next())
                            .chain(state -> Boolean.TRUE.equals(state.getBoolean("alerted_lately"))
                                    ? c.preparedQuery("update audit.alert_state set held = held + 1 where chain_key = $1 and kind = $2")
                                            .execute(Tuple.of(chain, rule.action())).replaceWithVoid()
                                    : raise(c, chain, tenantId, eventId, rule.action(), recent, state.getInteger("held"))));
        }).orElse(Uni.createFrom().voidItem());
    }

    private Uni<Void> raise(SqlConnection c, String chain, UUID tenantId, UUID eventId, String kind, long recent, int held) {
        return c.preparedQuery("select audit.alert_payload($2, l.chain_key, l.tenant_id, $3 * interval '1 millisecond', $4, $5, l) as payload"
                + " from audit.ledger l where l.event_id = $1")
                .execute(Tuple.from(java.util.List.of(eventId, kind, rules.intervalMillis(), recent, held)))
                .chain(rows -> outbox.append(c, tenantId, AUDIT_ALERT, kind, AUDIT_ALERT.read(rows.iterator().next().getJsonObject("payload"))))
                .chain(() -> c.preparedQuery("update audit.alert_state set last_alert_at = clock_timestamp(), held = 0 where chain_key = $1 and kind = $2")
                        .execute(Tuple.of(chain, kind)))
                .replaceWithVoid();
    }

    /**
     * Reports what was held once the interval since the last alert of its kind has passed: a summary alert without a
     * trigger, each under its chain's scope, where the state is read again under its lock (another instance may have
     * reported it, or a new alert gone out, meanwhile).
     */
    @Scheduled(every = "${palisade.audit.alerts.flush-every:30s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reportHeld() {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select chain_key, kind from audit.held_alerts($1 * interval '1 millisecond', 100)")
                .execute(Tuple.of(rules.intervalMillis())).map(rows -> Rows.all(rows, r -> new Held(r.getString("chain_key"), r.getString("kind")))))
                .onItem().transformToMulti(held -> Multi.createFrom().iterable(held))
                .onItem().transformToUniAndConcatenate(held -> tx.inBackground(Chains.scope(held.chain()), c -> report(c, held)))
                .collect().last()
                .onFailure().invoke(e -> LOG.warnf("held alerts not reported this round, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private record Held(String chain, String kind) {
    }

    private Uni<Void> report(SqlConnection c, Held held) {
        Tuple state = Tuple.of(held.chain(), held.kind(), rules.intervalMillis());
        return c.preparedQuery("select held from audit.alert_state where chain_key = $1 and kind = $2 and held > 0"
                + " and last_alert_at <= clock_timestamp() - $3 * interval '1 millisecond' for update").execute(state)
                .chain(rows -> Rows.first(rows).map(r -> c.preparedQuery("select audit.alert_payload($1, $2, $3, $4 * interval '1 millisecond', 0, $5, null)"
                        + " as payload").execute(Tuple.from(java.util.Arrays.asList(held.kind(), held.chain(), Chains.tenantOf(held.chain()),
                                rules.intervalMillis(), r.getInteger("held"))))
                        .chain(payload -> outbox.append(c, Chains.tenantOf(held.chain()), AUDIT_ALERT, held.kind(),
                                AUDIT_ALERT.read(payload.iterator().next().getJsonObject("payload"))))
                        .chain(() -> c.preparedQuery("update audit.alert_state set last_alert_at = clock_timestamp(), held = 0 where chain_key = $1 and kind = $2")
                                .execute(Tuple.of(held.chain(), held.kind())))
                        .replaceWithVoid())
                        .orElseGet(() -> Uni.createFrom().voidItem()));
    }
}
