package io.palisade.audit.alerts;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.palisade.audit.chains.Chains;
import io.palisade.common.events.OperationsContract;
import io.palisade.common.outbox.Outbox;
import static io.palisade.common.events.OperationsContract.AUDIT_ALERT;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Raises alerts for critical entries, in the transaction that appended them (so an alert goes out exactly when its
 * entry is in the ledger), rate-limited in the database; and reports held alerts once their interval has passed.
 */
@ApplicationScoped
public class Alerts {

    private static final Logger LOG = Logger.getLogger(Alerts.class);

    private final AlertRules rules;
    private final AlertRepository alerts;
    private final TenantTransactions tx;
    private final Outbox outbox;

    Alerts(AlertRules rules, AlertRepository alerts, TenantTransactions tx, Outbox outbox) {
        this.rules = rules;
        this.alerts = alerts;
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
     * the interval, in which case it is held and counted.
     */
    public Uni<Void> consider(SqlConnection c, String chain, UUID tenantId, UUID eventId, String action) {
        return rules.forAction(action).map(rule -> alerts.recentEntries(c, chain, rule.action(), rules.intervalMillis())
                .chain(recent -> recent < rule.threshold() ? Uni.createFrom().voidItem()
                        : alerts.lockState(c, chain, rule.action(), rules.intervalMillis())
                                .chain(state -> state.alertedLately() ? alerts.hold(c, chain, rule.action())
                                        : raise(c, chain, tenantId, eventId, rule.action(), recent, state.held()))))
                .orElse(Uni.createFrom().voidItem());
    }

    private Uni<Void> raise(SqlConnection c, String chain, UUID tenantId, UUID eventId, String kind, long recent, int held) {
        return alerts.trigger(c, eventId)
                .chain(trigger -> outbox.append(c, tenantId, AUDIT_ALERT, kind, alert(kind, tenantId, chain, recent, held, trigger)))
                .chain(() -> alerts.markAlerted(c, chain, kind));
    }

    /** The alert as published (schema version 1 of {@code audit.alert}); a summary of held alerts has no trigger. */
    private OperationsContract.AuditAlert alert(String kind, UUID tenantId, String chain, long occurrences, int held,
            OperationsContract.AlertTrigger trigger) {
        return new OperationsContract.AuditAlert(1, kind, tenantId, chain, rules.intervalMillis() / 1000, OffsetDateTime.now(ZoneOffset.UTC),
                occurrences, held, trigger);
    }

    /**
     * Reports what was held once the interval since the last alert of its kind has passed: a summary alert without a
     * trigger, each under its chain's scope, where the state is read again under its lock (another instance may have
     * reported it, or a new alert gone out, meanwhile).
     */
    @Scheduled(every = "${palisade.audit.alerts.flush-every}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reportHeld() {
        return tx.inBackground(DbScope.anonymous(), c -> alerts.heldPastInterval(c, rules.intervalMillis(), 100))
                .onItem().transformToMulti(held -> Multi.createFrom().iterable(held))
                .onItem().transformToUniAndConcatenate(held -> tx.inBackground(Chains.scope(held.chain()), c -> report(c, held)))
                .collect().last()
                .onFailure().invoke(e -> LOG.warnf("held alerts not reported this round, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> report(SqlConnection c, AlertRepository.Held held) {
        UUID tenantId = Chains.tenantOf(held.chain());
        return alerts.lockHeldPastInterval(c, held, rules.intervalMillis())
                .chain(count -> count.map(n -> outbox.append(c, tenantId, AUDIT_ALERT, held.kind(), alert(held.kind(), tenantId, held.chain(), 0, n, null))
                        .chain(() -> alerts.markAlerted(c, held.chain(), held.kind())))
                        .orElseGet(() -> Uni.createFrom().voidItem()));
    }
}
