package io.palisade.payment.refunds;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Problem;
import io.palisade.common.web.ProblemException;
import io.palisade.payment.stripe.StripeGateway;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Refunds, full or partial. Staff with the REFUNDS permission ask for one (audited with who, how much and why
 * in the same transaction as the request); a payment that arrived after its booking ended is refunded
 * automatically. The refund is sent to Stripe with the refund's id as idempotency key; the payment counts as
 * refunded, and the booking becomes refunded, only when Stripe's webhook confirms it.
 */
@ApplicationScoped
public class RefundService {

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
                    return c.preparedQuery("select * from payment.request_refund($1, $2, $3, $4, $5)")
                            .execute(Tuple.of(caller.tenantId(), paymentId, amountMinor, reason, caller.userId()));
                })
                .map(rows -> rows.iterator().next())
                .call(row -> "requested".equals(row.getString("outcome"))
                        ? audit.record(c, new AuditEvent(caller.tenantId(), "payment.refund_requested", AuditEvent.Actor.of(caller, clientIp),
                                "payment", paymentId.toString(), AuditEvent.SUCCESS, null,
                                new JsonObject().put("refundId", row.getUUID("refund_id").toString()).put("amountMinor", amountMinor),
                                new JsonObject().put("reason", reason)))
                        : Uni.createFrom().voidItem()))
                .chain(row -> switch (row.getString("outcome")) {
                    case "requested" -> send(row, paymentId);
                    case "not_found" -> Uni.createFrom().failure(ProblemException.notFound("the payment"));
                    case "not_refundable" -> Uni.createFrom().failure(ProblemException.conflict("only a succeeded payment can be refunded"));
                    default -> Uni.createFrom().failure(ProblemException.unprocessable(
                            "at most " + row.getLong("amount_minor") + " (minor units) of this payment can still be refunded"));
                });
    }

    /** The automatic refund of a payment whose booking had already ended (idempotent per payment; audited by the helper). */
    public Uni<Void> refundUnneeded(UUID tenantId, UUID bookingId) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select p.id as payment_id, r.* from (select payment.payment_of_booking($1, $2) as id) p"
                + " cross join lateral payment.request_refund($1, p.id, null, $3, null) r where p.id is not null")
                .execute(Tuple.of(tenantId, bookingId, "paid after the booking had ended")).map(rows -> first(rows).orElse(null)))
                .chain(row -> row != null && ("requested".equals(row.getString("outcome")) || "existing".equals(row.getString("outcome")))
                        ? send(row, row.getUUID("payment_id")).replaceWithVoid()
                        : Uni.createFrom().voidItem());
    }

    private Uni<Requested> send(Row row, UUID paymentId) {
        UUID refundId = row.getUUID("refund_id");
        long amount = row.getLong("amount_minor");
        return stripe.createRefund(row.getString("stripe_account_id"), row.getString("payment_intent_id"), amount, refundId)
                .onFailure(StripeGateway.StripeCallException.class).call(e -> record(refundId, null, "failed"))
                .onFailure(StripeGateway.StripeCallException.class).transform(e -> new ProblemException(new Problem(502, "Bad Gateway",
                        "the payment provider refused the refund: " + e.getMessage())))
                .call(refund -> record(refundId, refund.id(), "succeeded".equals(refund.status()) ? "pending" : refund.status()))
                .map(refund -> new Requested(refundId, paymentId, amount, "pending"));
    }

    private Uni<Void> record(UUID refundId, String stripeRefundId, String status) {
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select payment.record_refund($1, $2, $3)")
                .execute(Tuple.of(refundId, stripeRefundId, status))).replaceWithVoid();
    }
}
