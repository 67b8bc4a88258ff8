package io.palisade.payment.webhooks;

import java.util.Arrays;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import static io.palisade.common.db.Rows.all;

import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.giftcards.GiftCardPurchases;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Acts on stored Stripe events. Before a payment changes state, the object is read back from Stripe's API on the
 * connected account, so a payload that somehow passed the signature check cannot move money state by what it
 * claims; a stale event reads the current state and changes nothing. Events are claimed with a lease: a crashed
 * worker's events come back, and an event whose processing failed (Stripe unreachable) is tried again.
 */
@ApplicationScoped
public class StripeEventWorker {

    private static final Logger LOG = Logger.getLogger(StripeEventWorker.class);

    private record Stored(String eventId, java.util.UUID tenantId, String account, String type, String objectId) {
    }

    @Inject
    TenantTransactions tx;

    @Inject
    StripeGateway stripe;

    @Inject
    GiftCardPurchases purchases;

    @Scheduled(every = "${palisade.stripe.event-check:1s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> processStoredEvents() {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.claim_stripe_events($1, $2)").execute(Tuple.of(10, 60))
                .map(rows -> all(rows, r -> new Stored(r.getString("event_id"), r.getUUID("tenant_id"), r.getString("account_id"),
                        r.getString("type"), r.getString("object_id")))))
                .onItem().transformToMulti(events -> Multi.createFrom().iterable(events))
                .onItem().transformToUniAndConcatenate(this::process)
                .collect().last().replaceWithVoid();
    }

    /** Gift cards paid for but not yet issued (their mail could not be sent) are tried again. */
    @Scheduled(every = "${palisade.gift-cards.issue-check:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> issuePaidGiftCards() {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.unissued_purchases($1, $2)").execute(Tuple.of(30, 20))
                .map(rows -> all(rows, r -> new String[] { r.getString("stripe_account_id"), r.getString("payment_intent_id") })))
                .onItem().transformToMulti(unissued -> Multi.createFrom().iterable(unissued))
                .onItem().transformToUniAndConcatenate(u -> stripe.paymentIntent(u[0], u[1]).chain(pi -> purchases.apply(u[0], pi))
                        .onFailure().recoverWithItem(e -> {
                            LOG.warnf("gift card of payment intent %s not issued yet: %s", u[1], e.getMessage());
                            return null;
                        }))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> process(Stored event) {
        Uni<String> outcome;
        if (event.tenantId() == null && !event.type().startsWith("account.")) {
            outcome = Uni.createFrom().item("unknown_account");
        } else if (event.type().startsWith("payment_intent.")) {
            outcome = stripe.paymentIntent(event.account(), event.objectId()).chain(pi -> apply(
                    "select payment.apply_intent_state($1, $2, $3, $4, $5, $6, $7) as outcome", event.eventId(), event.account(), pi.id(),
                    pi.status(), pi.amountReceived(), pi.currency(), "payment_intent.payment_failed".equals(event.type()) && pi.lastPaymentFailed())
                    // Not a booking's payment: perhaps a gift card someone bought.
                    .chain(result -> "unknown_intent".equals(result) ? purchases.apply(event.account(), pi) : Uni.createFrom().item(result)));
        } else if (event.type().equals("charge.refunded")) {
            outcome = stripe.charge(event.account(), event.objectId()).chain(charge -> stripe.paymentIntent(event.account(), charge.paymentIntentId())
                    .chain(pi -> apply("select payment.apply_refunded_total($1, $2, $3, $4, $5, $6) as outcome", event.eventId(), event.account(),
                            pi.id(), charge.amountRefunded(), pi.amountReceived(), pi.currency())));
        } else if (event.type().startsWith("refund.")) {
            outcome = stripe.refund(event.account(), event.objectId()).chain(refund -> refund.palisadeRefundId() == null
                    ? Uni.createFrom().item("refund_not_ours")
                    : tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select payment.record_refund($1, $2, $3, $4, $5)")
                            .execute(Tuple.of(refund.palisadeRefundId(), refund.id(), refund.status(), event.account(), refund.paymentIntentId())))
                            .replaceWith("refund_" + refund.status()));
        } else if (event.type().equals("account.updated")) {
            outcome = stripe.account(event.objectId()).chain(account -> tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery(
                    "select payment.update_account($1, $2, $3)").execute(Tuple.of(account.id(), account.chargesEnabled(), account.detailsSubmitted())))
                    .replaceWith("account_updated"));
        } else {
            outcome = Uni.createFrom().item("ignored");
        }
        return outcome
                .onFailure(StripeGateway.StripeCallException.class).recoverWithUni(e -> {
                    if (((StripeGateway.StripeCallException) e).status() == 404) {
                        return Uni.createFrom().item("object_missing");
                    }
                    return Uni.createFrom().failure(e);
                })
                .chain(result -> tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select payment.finish_stripe_event($1, $2)")
                        .execute(Tuple.of(event.eventId(), result))).invoke(() -> {
                            LOG.debugf("stripe event %s (%s): %s", event.eventId(), event.type(), result);
                            // What verified Stripe events did to payments: succeeded, failed, canceled, refunded, amount_mismatch, ...
                            registry.counter("palisade.payments.stripe.events", "outcome", result).increment();
                        }))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("stripe event %s (%s) not processed yet, will be retried: %s", event.eventId(), event.type(), e.getMessage());
                    return null;
                });
    }

    @Inject
    MeterRegistry registry;

    private Uni<String> apply(String sql, Object... args) {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery(sql).execute(Tuple.from(Arrays.asList(args))))
                .map(rows -> rows.iterator().next().getString("outcome"));
    }
}
