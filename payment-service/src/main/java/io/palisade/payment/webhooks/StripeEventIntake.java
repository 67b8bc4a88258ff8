package io.palisade.payment.webhooks;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** Keeps each verified Stripe event once, for the worker ({@link StripeEventWorker}) to act on. */
@ApplicationScoped
public class StripeEventIntake {

    private final TenantTransactions tx;
    private final StripeEventRepository events;

    StripeEventIntake(TenantTransactions tx, StripeEventRepository events) {
        this.tx = tx;
        this.events = events;
    }

    /** Whether the event was new (false: Stripe sent it again). */
    public Uni<Boolean> record(String eventId, String account, String type, String objectId, JsonObject event) {
        return tx.inScope(DbScope.anonymous(), c -> events.record(c, eventId, account, type, objectId, event));
    }
}
