package io.palisade.payment.refunds;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.stripe.StripeGateway;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Refunds, full or partial. Staff with the REFUNDS permission ask for one (audited with who, how much and why
 * in the same transaction as the request); a payment that arrived after its booking ended is refunded
 * automatically. The refund is sent to Stripe with the refund's id as idempotency key; the payment counts as
 * refunded, and the booking becomes refunded, only when Stripe's webhook confirms it.
 */
@ApplicationScoped
public class RefundService {

    private static final Logger LOG = Logger.getLogger(RefundService.class);

    public record Requested(UUID refundId, UUID paymentId, long amountMinor, String status) {
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    TenantTransactions tx;

    @Inject
    StripeGateway stripe;

    @Inject
    AuditLog audit;

    public Uni<Requested> requestByStaff(UUID paymentId, long amountMinor, String reason, String clientIp) {
        TenantContext caller = currentTenant.get();
        // The payment must be visible under the caller's own tenant (RLS) before the definer helper touches it.
        return tx.inTenant(caller, c -> c.preparedQuery("select id from payment.payments where id = $1").execute(Tuple.of(paymentId))
                .chain(visible -> {
                    if (visible.size() == 0) {
                        throw ProblemException.notFound("the payment");
                    }
                    return c.preparedQuery("select * from payment.request_refund($1, $2, $3)").execute(Tuple.of(paymentId, amountMinor, reason));
                })
                .map(rows -> rows.iterator().next())
                .call(row -> "requested".equals(row.getString("outcome"))
                        ? audit.record(c, new AuditEvent(caller.tenantId(), "payment.refund_requested", AuditEvent.Actor.of(caller, clientIp),
                                "payment", paymentId.toString(), AuditEvent.SUCCESS, null,
                                new JsonObject().put("refundId", row.getUUID("refund_id").toString()).put("amountMinor", amountMinor),
                                new JsonObject().put("reason", reason)))
                        : Uni.createFrom().voidItem()))
                .chain(row -> switch (row.getString("outcome")) {
                    case "requested" -> send(row.getUUID("refund_id"), paymentId, row.getString("stripe_account_id"),
                            row.getString("payment_intent_id"), row.getLong("amount_minor"));
                    case "not_found" -> Uni.createFrom().failure(ProblemException.notFound("the payment"));
                    case "not_refundable" -> Uni.createFrom().failure(ProblemException.conflict("only a succeeded payment can be refunded"));
                    default -> Uni.createFrom().failure(ProblemException.unprocessable(
                            "at most " + row.getLong("amount_minor") + " (minor units) of this payment can still be refunded"));
                });
    }

    /** The automatic refund of a payment whose booking had already ended (idempotent per payment; audited by the helper). */
    public Uni<Void> refundUnneeded(UUID tenantId, UUID bookingId) {
        return tx.inBackground(DbScope.worker(tenantId), c -> c.preparedQuery("select p.id as payment_id, r.* from (select payment.payment_of_booking($1, $2) as id) p"
                + " cross join lateral payment.request_refund(p.id, null, $3) r where p.id is not null")
                .execute(Tuple.of(tenantId, bookingId, "paid after the booking had ended")).map(rows -> first(rows).orElse(null)))
                .chain(row -> row != null && ("requested".equals(row.getString("outcome")) || "existing".equals(row.getString("outcome")))
                        ? send(row.getUUID("refund_id"), row.getUUID("payment_id"), row.getString("stripe_account_id"),
                                row.getString("payment_intent_id"), row.getLong("amount_minor")).replaceWithVoid()
                        : Uni.createFrom().voidItem())
                // A refusal is recorded on the refund (failed) for staff to see; it must not hold up the booking events.
                .onFailure(ProblemException.class).recoverWithItem(e -> {
                    LOG.errorf("the automatic refund of booking %s was refused by the payment provider: %s", bookingId, e.getMessage());
                    return null;
                });
    }

    /** Refunds whose request got no answer from Stripe are sent again, under the same idempotency key. */
    @Scheduled(every = "${palisade.refunds.resend-check:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resendUnanswered() {
        return tx.inBackground(DbScope.anonymous(), c -> c.preparedQuery("select * from payment.unsent_refunds($1, $2)").execute(Tuple.of(30, 20))
                .map(rows -> all(rows, r -> new Unsent(r.getUUID("refund_id"), r.getUUID("payment_id"), r.getString("stripe_account_id"),
                        r.getString("payment_intent_id"), r.getLong("amount_minor")))))
                .onItem().transformToMulti(unsent -> Multi.createFrom().iterable(unsent))
                .onItem().transformToUniAndConcatenate(u -> send(u.refundId(), u.paymentId(), u.account(), u.intent(), u.amountMinor())
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    private record Unsent(UUID refundId, UUID paymentId, String account, String intent, long amountMinor) {
    }

    /**
     * Asks Stripe for the refund. Refused (4xx): the refund is marked failed and the caller told. No answer: it stays
     * requested (still counted against what can be refunded) and is sent again later under the same key.
     */
    private Uni<Requested> send(UUID refundId, UUID paymentId, String account, String intent, long amount) {
        return stripe.createRefund(account, intent, amount, refundId)
                .call(refund -> record(refundId, refund.id(), refund.status(), account, intent))
                .map(refund -> new Requested(refundId, paymentId, amount, "pending"))
                .onFailure(StripeGateway.StripeCallException.class).recoverWithUni(e -> {
                    StripeGateway.StripeCallException failure = (StripeGateway.StripeCallException) e;
                    if (failure.refused()) {
                        return record(refundId, null, "failed", account, intent).chain(() -> Uni.createFrom().failure(
                                ProblemException.unprocessable("the payment provider refused the refund: " + failure.getMessage())));
                    }
                    LOG.warnf("refund %s got no answer from the payment provider; it will be sent again", refundId);
                    return Uni.createFrom().item(new Requested(refundId, paymentId, amount, "requested"));
                });
    }

    private Uni<Void> record(UUID refundId, String stripeRefundId, String status, String account, String intent) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select payment.record_refund($1, $2, $3, $4, $5)")
                .execute(Tuple.of(refundId, stripeRefundId, status, account, intent))).replaceWithVoid();
    }
}
