package io.palisade.payment.webhooks;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;


import io.micrometer.core.instrument.MeterRegistry;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.payment.connect.ConnectService;
import io.palisade.payment.giftcards.GiftCardPurchaseRepository;
import io.palisade.payment.giftcards.GiftCardPurchases;
import io.palisade.payment.payments.PaymentIntentStates;
import io.palisade.payment.refunds.RefundService;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Acts on stored Stripe events. Before a payment changes state, the object is read back from Stripe's API on the
 * connected account, so a payload that somehow passed the signature check cannot move money state by what it
 * claims; a stale event reads the current state and changes nothing. Events are claimed with a lease: a crashed
 * worker's events come back, and an event whose processing failed (Stripe unreachable) is tried again. The claim
 * is the one step across tenants; each event is applied and finished under the worker scope of the tenant whose
 * connected account it names (stored with it when it arrived), so it finds no other tenant's payment.
 */
@ApplicationScoped
public class StripeEventWorker {

    private static final Logger LOG = Logger.getLogger(StripeEventWorker.class);

    private final TenantTransactions tx;
    private final StripeGateway stripe;
    private final GiftCardPurchases purchases;
    private final PaymentIntentStates states;
    private final RefundService refunds;
    private final ConnectService connect;
    private final StripeEventRepository events;
    private final GiftCardPurchaseRepository purchaseRecords;
    private final MeterRegistry registry;

    StripeEventWorker(TenantTransactions tx, StripeGateway stripe, GiftCardPurchases purchases, PaymentIntentStates states,
            RefundService refunds, ConnectService connect, StripeEventRepository events, GiftCardPurchaseRepository purchaseRecords,
            MeterRegistry registry) {
        this.tx = tx;
        this.stripe = stripe;
        this.purchases = purchases;
        this.states = states;
        this.refunds = refunds;
        this.connect = connect;
        this.events = events;
        this.purchaseRecords = purchaseRecords;
        this.registry = registry;
    }

    @Scheduled(every = "${palisade.stripe.event-check}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> processStoredEvents() {
        // The claim is the one step across tenants (a definer) and learns which events and whose; each is then read and
        // applied under its tenant's worker scope.
        return tx.inBackground(DbScope.anonymous(), c -> events.claim(c, 10, 60))
                .onItem().transformToMulti(leases -> Multi.createFrom().iterable(leases))
                .onItem().transformToUniAndConcatenate(this::process)
                .collect().last().replaceWithVoid();
    }

    /** Gift cards paid for but not yet issued (their mail could not be sent) are tried again. */
    @Scheduled(every = "${palisade.gift-cards.issue-check:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> issuePaidGiftCards() {
        return tx.inBackground(DbScope.anonymous(), c -> purchaseRecords.paidUnissued(c, 30, 20))
                .onItem().transformToMulti(paid -> Multi.createFrom().iterable(paid))
                .onItem().transformToUniAndConcatenate(p -> tx.inBackground(DbScope.worker(p.tenantId()), c -> purchaseRecords.unissued(c, p.purchaseId()))
                        .chain(found -> found.map(u -> stripe.paymentIntent(u.account(), u.intentId())
                                .chain(pi -> purchases.apply(p.tenantId(), u.account(), pi))).orElseGet(() -> Uni.createFrom().nullItem()))
                        .onFailure().recoverWithItem(e -> {
                            LOG.warnf("gift card purchase %s not issued yet: %s", p.purchaseId(), e.getMessage());
                            return null;
                        }))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> process(StripeEventRepository.Lease lease) {
        if (lease.tenantId() == null) {
            // Of no account we know: the claim finished it; there is no tenant to act for.
            counted(lease.eventId(), "unknown", "unknown_account");
            return Uni.createFrom().voidItem();
        }
        return tx.inBackground(DbScope.worker(lease.tenantId()), c -> events.claimed(c, lease.eventId()))
                .chain(found -> found.map(this::process).orElseGet(() -> Uni.createFrom().voidItem()))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("stripe event %s not processed yet, will be retried: %s", lease.eventId(), e.getMessage());
                    return null;
                });
    }

    private Uni<Void> process(StripeEventRepository.Claimed event) {
        Uni<String> outcome;
        if (event.type().startsWith("payment_intent.")) {
            outcome = stripe.paymentIntent(event.account(), event.objectId()).chain(pi -> asWorker(event, c -> states.applyIntent(c, event.tenantId(),
                    event.eventId(), event.account(), pi, "payment_intent.payment_failed".equals(event.type()) && pi.lastPaymentFailed()))
                    // Not a booking's payment: perhaps a gift card someone bought.
                    .chain(result -> "unknown_intent".equals(result) ? purchases.apply(event.tenantId(), event.account(), pi) : Uni.createFrom().item(result)));
        } else if (event.type().equals("charge.refunded")) {
            outcome = stripe.charge(event.account(), event.objectId()).chain(charge -> stripe.paymentIntent(event.account(), charge.paymentIntentId())
                    .chain(pi -> asWorker(event, c -> states.applyRefundedTotal(c, event.tenantId(), event.eventId(), event.account(), pi,
                            charge.amountRefunded()))));
        } else if (event.type().startsWith("refund.")) {
            outcome = stripe.refund(event.account(), event.objectId()).chain(refund -> refund.palisadeRefundId() == null
                    ? Uni.createFrom().item("refund_not_ours")
                    : refunds.record(event.tenantId(), refund.palisadeRefundId(), refund.id(), refund.status(), event.account(), refund.paymentIntentId())
                            .replaceWith("refund_" + refund.status()));
        } else if (event.type().equals("account.updated")) {
            outcome = stripe.account(event.objectId()).chain(account -> connect.applyAccountState(event.tenantId(), account))
                    .replaceWith("account_updated");
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
                .chain(result -> asWorker(event, c -> events.finish(c, event.eventId(), result)).invoke(() -> counted(event.eventId(), event.type(), result)))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("stripe event %s (%s) not processed yet, will be retried: %s", event.eventId(), event.type(), e.getMessage());
                    return null;
                });
    }

    private void counted(String eventId, String type, String outcome) {
        LOG.debugf("stripe event %s (%s): %s", eventId, type, outcome);
        // What verified Stripe events did to payments: succeeded, failed, canceled, refunded, amount_mismatch, ...
        registry.counter("palisade.payments.stripe.events", "outcome", outcome).increment();
    }

    private <T> Uni<T> asWorker(StripeEventRepository.Claimed event, Function<SqlConnection, Uni<T>> work) {
        return tx.inBackground(DbScope.worker(event.tenantId()), work);
    }
}
