package io.palisade.payment.refunds;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;


import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.payments.PaymentRepository;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Refunds, full or partial. Staff with the REFUNDS permission ask for one (audited with who, how much and why
 * in the same transaction as the request); a payment that arrived after its booking ended is refunded
 * automatically. The refund is sent to Stripe with the refund's id as idempotency key; the payment counts as
 * refunded, and the booking becomes refunded, only when Stripe's webhook confirms it.
 */
@ApplicationScoped
public class RefundService {

    private static final Logger LOG = Logger.getLogger(RefundService.class);
    private static final String SUCCEEDED = "succeeded";
    private static final String PAID_AFTER_BOOKING_ENDED = "paid_after_booking_ended";
    private static final String AUTOMATIC_REASON = "paid after the booking had ended";
    private static final java.util.Set<String> FINAL_AT_STRIPE = java.util.Set.of("succeeded", "failed", "canceled");

    public record Requested(UUID refundId, UUID paymentId, long amountMinor, String status) {
    }

    private final CurrentTenant currentTenant;
    private final TenantTransactions tx;
    private final StripeGateway stripe;
    private final AuditLog audit;
    private final RefundRepository repository;
    private final PaymentRepository payments;

    RefundService(CurrentTenant currentTenant, TenantTransactions tx, StripeGateway stripe, AuditLog audit, RefundRepository repository,
            PaymentRepository payments) {
        this.currentTenant = currentTenant;
        this.tx = tx;
        this.stripe = stripe;
        this.audit = audit;
        this.repository = repository;
        this.payments = payments;
    }

    public Uni<Requested> requestByStaff(UUID paymentId, long amountMinor, String reason, String clientIp) {
        TenantContext caller = currentTenant.get();
        // Under the caller's own tenant (RLS): another tenant's payment does not exist here.
        return tx.inTenant(caller, c -> repository.lockPayment(c, paymentId).chain(found -> {
            RefundRepository.Refundable payment = found.orElseThrow(() -> ProblemException.notFound("the payment"));
            if (!SUCCEEDED.equals(payment.status())) {
                throw ProblemException.conflict("only a succeeded payment can be refunded");
            }
            if (amountMinor < 1 || amountMinor > payment.left()) {
                throw ProblemException.unprocessable("at most " + payment.left() + " (minor units) of this payment can still be refunded");
            }
            return repository.insert(c, caller.tenantId(), paymentId, amountMinor, reason, caller.userId())
                    .call(refundId -> audit.record(c, new AuditEvent(caller.tenantId(), "payment.refund_requested", AuditEvent.Actor.of(caller, clientIp),
                            "payment", paymentId.toString(), AuditEvent.SUCCESS, null,
                            new JsonObject().put("refundId", refundId.toString()).put("amountMinor", amountMinor),
                            new JsonObject().put("reason", reason))))
                    .map(refundId -> new RefundRepository.Unsent(caller.tenantId(), refundId, paymentId, payment.stripeAccountId(), payment.paymentIntentId(), amountMinor));
        })).chain(this::send);
    }

    /**
     * The automatic refund of a payment whose booking had already ended, under the worker scope of the booking event's
     * tenant: the payment is flagged and refunded in full, once (a second event finds the refund already asked for),
     * and audited as the system.
     */
    public Uni<Void> refundUnneeded(UUID tenantId, UUID bookingId) {
        return tx.inBackground(DbScope.worker(tenantId), c -> repository.succeededPaymentOf(c, bookingId).chain(paymentId -> paymentId.isEmpty()
                ? Uni.createFrom().<RefundRepository.Unsent>nullItem()
                : repository.lockPayment(c, paymentId.get()).chain(found -> {
                    RefundRepository.Refundable payment = found.orElseThrow();
                    return repository.automaticRefundOf(c, payment.paymentId()).chain(existing -> existing.isPresent()
                            ? Uni.createFrom().item(new RefundRepository.Unsent(tenantId, existing.get().refundId(), payment.paymentId(), payment.stripeAccountId(),
                                    payment.paymentIntentId(), existing.get().amountMinor()))
                            : automatic(c, tenantId, payment));
                })))
                .chain(unsent -> unsent == null ? Uni.createFrom().voidItem() : send(unsent).replaceWithVoid())
                // A refusal is recorded on the refund (failed) for staff to see; it must not hold up the booking events.
                .onFailure(ProblemException.class).recoverWithItem(e -> {
                    LOG.errorf("the automatic refund of booking %s was refused by the payment provider: %s", bookingId, e.getMessage());
                    return null;
                });
    }

    private Uni<RefundRepository.Unsent> automatic(SqlConnection c, UUID tenantId, RefundRepository.Refundable payment) {
        long amount = payment.amountMinor() - payment.refundedMinor();
        if (amount < 1 || amount > payment.left()) {
            // Refunded already, or staff refunds under way claim it: nothing is left to give back automatically.
            return payments.flag(c, payment.paymentId(), PAID_AFTER_BOOKING_ENDED).replaceWith((RefundRepository.Unsent) null);
        }
        return payments.flag(c, payment.paymentId(), PAID_AFTER_BOOKING_ENDED)
                .chain(() -> repository.insert(c, tenantId, payment.paymentId(), amount, AUTOMATIC_REASON, null))
                .call(refundId -> audit.record(c, new AuditEvent(tenantId, "payment.refund_requested", new AuditEvent.Actor(null, "system", null, null),
                        "payment", payment.paymentId().toString(), AuditEvent.SUCCESS, null,
                        new JsonObject().put("refundId", refundId.toString()).put("amountMinor", amount),
                        new JsonObject().put("reason", AUTOMATIC_REASON).put("automatic", true))))
                .map(refundId -> new RefundRepository.Unsent(tenantId, refundId, payment.paymentId(), payment.stripeAccountId(), payment.paymentIntentId(), amount));
    }

    /** Refunds whose request got no answer from Stripe are sent again, under the same idempotency key. */
    @Scheduled(every = "${palisade.refunds.resend-check:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resendUnanswered() {
        // The one step across tenants learns which refunds and whose; each is read and sent under its tenant's worker scope.
        return tx.inBackground(DbScope.anonymous(), c -> repository.waiting(c, 30, 20))
                .onItem().transformToMulti(waiting -> Multi.createFrom().iterable(waiting))
                .onItem().transformToUniAndConcatenate(w -> tx.inBackground(DbScope.worker(w.tenantId()), c -> repository.unsent(c, w.refundId()))
                        .chain(unsent -> unsent.map(this::send).orElseGet(() -> Uni.createFrom().nullItem()))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    /**
     * Asks Stripe for the refund. Refused (4xx): the refund is marked failed and the caller told. No answer: it stays
     * requested (still counted against what can be refunded) and is sent again later under the same key.
     */
    private Uni<Requested> send(RefundRepository.Unsent refund) {
        return stripe.createRefund(refund.account(), refund.intent(), refund.amountMinor(), refund.refundId())
                .call(created -> record(refund.tenantId(), refund.refundId(), created.id(), created.status(), refund.account(), refund.intent()))
                .map(created -> new Requested(refund.refundId(), refund.paymentId(), refund.amountMinor(), "pending"))
                .onFailure(StripeGateway.StripeCallException.class).recoverWithUni(e -> {
                    StripeGateway.StripeCallException failure = (StripeGateway.StripeCallException) e;
                    if (failure.refused()) {
                        return record(refund.tenantId(), refund.refundId(), null, "failed", refund.account(), refund.intent()).chain(() -> Uni.createFrom().failure(
                                ProblemException.unprocessable("the payment provider refused the refund: " + failure.getMessage())));
                    }
                    LOG.warnf("refund %s got no answer from the payment provider; it will be sent again", refund.refundId());
                    return Uni.createFrom().item(new Requested(refund.refundId(), refund.paymentId(), refund.amountMinor(), "requested"));
                });
    }

    /**
     * A refund's state at Stripe, under the worker scope of its tenant. The refund must belong to a payment of that
     * connected account and PaymentIntent: metadata on a Stripe object is the connected account's to write, so it names
     * nothing by itself. Succeeded is final; a state still on its way is pending.
     */
    public Uni<Void> record(UUID tenantId, UUID refundId, String stripeRefundId, String stripeStatus, String account, String intent) {
        String status = FINAL_AT_STRIPE.contains(stripeStatus) ? stripeStatus : "pending";
        // Not the background budget: a staff request waits for this answer too.
        return tx.inScope(DbScope.worker(tenantId), c -> repository.recordStripeState(c, refundId, stripeRefundId, status, account, intent));
    }
}
