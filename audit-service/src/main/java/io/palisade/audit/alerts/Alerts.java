package io.palisade.audit.alerts;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.scheduler.Scheduled;
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

    @Inject
    AlertRules rules;

    @Inject
    TenantTransactions tx;

    /** For a newly appended entry: raises, holds or ignores an alert as its action's rule says. */
    public Uni<Void> consider(SqlConnection c, UUID eventId, String action) {
        return rules.forAction(action)
                .map(rule -> c.preparedQuery("select audit.consider_alert($1, $2, $3, $4 * interval '1 millisecond') as outcome")
                        .execute(Tuple.of(eventId, rule.action(), rule.threshold(), rules.intervalMillis())).replaceWithVoid())
                .orElse(Uni.createFrom().voidItem());
    }

    @Scheduled(every = "${palisade.audit.alerts.flush-every:30s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> reportHeld() {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select audit.flush_held_alerts($1 * interval '1 millisecond') as sent")
                .execute(Tuple.of(rules.intervalMillis())))
                .onFailure().invoke(e -> LOG.warnf("held alerts not reported this round, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
