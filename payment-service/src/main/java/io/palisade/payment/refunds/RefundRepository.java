package io.palisade.payment.refunds;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Refunds and the payments they draw on, under the scope's tenant (a staff member's, or a worker's for automatic ones). */
@ApplicationScoped
public class RefundRepository {

    /** What a refund draws on: the payment as it stands, and what open refunds already claim of it. */
    public record Refundable(UUID paymentId, String status, long amountMinor, long refundedMinor, long openRefundsMinor, String paymentIntentId,
            String stripeAccountId) {

        long left() {
            return Math.max(amountMinor - refundedMinor - openRefundsMinor, 0);
        }
    }

    public record Existing(UUID refundId, long amountMinor) {
    }

    /**
     * The payment, read after taking its refund lock (held until the transaction ends): two refunds of one payment
     * never both count on the same money. An advisory lock, as the scope may read payments but not lock their rows.
     */
    /** A refund to send to Stripe: its connected account, PaymentIntent and amount. */
    public record Unsent(UUID tenantId, UUID refundId, UUID paymentId, String account, String intent, long amountMinor) {
    }

    /** A refund of some tenant that waits for Stripe's answer. */
    public record Waiting(UUID tenantId, UUID refundId) {
    }

    /**
     * Refunds of every tenant that got no answer from Stripe for {@code olderThanSeconds}, at most {@code limit} (the
     * allow-listed definer {@code payment.unsent_refunds}): which, and whose.
     */
    public Uni<List<Waiting>> waiting(SqlConnection c, int olderThanSeconds, int limit) {
        return c.preparedQuery("select tenant_id, refund_id from payment.unsent_refunds($1, $2)").execute(Tuple.of(olderThanSeconds, limit))
                .map(rows -> all(rows, r -> new Waiting(r.getUUID("tenant_id"), r.getUUID("refund_id"))));
    }

    /** The scope's tenant's refund, with its payment's account and PaymentIntent, while it still waits for an answer. */
    public Uni<Optional<Unsent>> unsent(SqlConnection c, UUID refundId) {
        return c.preparedQuery("select r.tenant_id, r.id, p.id as payment_id, p.stripe_account_id, p.payment_intent_id, r.amount_minor"
                + " from payment.refunds r join payment.payments p on p.id = r.payment_id where r.id = $1 and r.status = 'requested'")
                .execute(Tuple.of(refundId))
                .map(rows -> first(rows).map(r -> new Unsent(r.getUUID("tenant_id"), r.getUUID("id"), r.getUUID("payment_id"),
                        r.getString("stripe_account_id"), r.getString("payment_intent_id"), r.getLong("amount_minor"))));
    }

    /**
     * What Stripe said of a refund, only if the refund belongs to a payment of that connected account and
     * PaymentIntent; a succeeded refund stays succeeded.
     */
    public Uni<Void> recordStripeState(SqlConnection c, UUID refundId, String stripeRefundId, String status, String account, String intent) {
        return c.preparedQuery("update payment.refunds r"
                + " set stripe_refund_id = coalesce($2, r.stripe_refund_id), status = case when r.status = 'succeeded' then r.status else $3 end,"
                + " updated_at = now() from payment.payments p"
                + " where r.id = $1 and p.id = r.payment_id and p.stripe_account_id = $4 and p.payment_intent_id = $5")
                .execute(Tuple.of(refundId, stripeRefundId, status, account, intent)).replaceWithVoid();
    }

    public Uni<Optional<Refundable>> lockPayment(SqlConnection c, UUID paymentId) {
        return c.preparedQuery("select pg_advisory_xact_lock(hashtextextended('refund:' || $1, 0))").execute(Tuple.of(paymentId.toString()))
                .chain(() -> c.preparedQuery("select p.id, p.status, p.amount_minor, p.refunded_minor, p.payment_intent_id, p.stripe_account_id,"
                        + " (select coalesce(sum(r.amount_minor), 0) from payment.refunds r where r.payment_id = p.id"
                        + " and r.status in ('requested', 'pending'))::bigint as open_minor from payment.payments p where p.id = $1")
                        .execute(Tuple.of(paymentId)))
                .map(rows -> first(rows).map(r -> new Refundable(r.getUUID("id"), r.getString("status"), r.getLong("amount_minor"),
                        r.getLong("refunded_minor"), r.getLong("open_minor"), r.getString("payment_intent_id"), r.getString("stripe_account_id"))));
    }

    /** The succeeded payment of a booking, if any. */
    public Uni<Optional<UUID>> succeededPaymentOf(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select id from payment.payments where booking_id = $1 and status = 'succeeded'").execute(Tuple.of(bookingId))
                .map(rows -> first(rows).map(r -> r.getUUID("id")));
    }

    /** The payment's automatic refund that has not failed, if one was asked for already. */
    public Uni<Optional<Existing>> automaticRefundOf(SqlConnection c, UUID paymentId) {
        return c.preparedQuery("select id, amount_minor from payment.refunds where payment_id = $1 and requested_by is null and status <> 'failed'")
                .execute(Tuple.of(paymentId)).map(rows -> first(rows).map(r -> new Existing(r.getUUID("id"), r.getLong("amount_minor"))));
    }

    /** {@code requestedBy} null: an automatic refund. */
    public Uni<UUID> insert(SqlConnection c, UUID tenantId, UUID paymentId, long amountMinor, String reason, UUID requestedBy) {
        return c.preparedQuery("insert into payment.refunds (tenant_id, payment_id, amount_minor, reason, requested_by)"
                + " values ($1, $2, $3, $4, $5) returning id")
                .execute(Tuple.from(Arrays.asList(tenantId, paymentId, amountMinor, reason, requestedBy)))
                .map(rows -> rows.iterator().next().getUUID("id"));
    }
}
