package io.palisade.payment.payments;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The tenant's payments and refunds, as staff read them and as the Stripe event worker moves them (RLS: the scope's
 * tenant only, a member's or a worker's).
 */
@ApplicationScoped
public class PaymentRepository {

    public record Payment(UUID id, UUID bookingId, int attempt, String status, long amountMinor, String currency,
            long applicationFeeMinor, long refundedMinor, String flag, String paymentIntentId, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {
    }

    public record Refund(UUID id, UUID paymentId, long amountMinor, String reason, UUID requestedBy, String status,
            OffsetDateTime createdAt) {
    }

    private static final String COLUMNS = "id, booking_id, attempt, status, amount_minor, currency, application_fee_minor, refunded_minor,"
            + " flag, payment_intent_id, created_at, updated_at from payment.payments";

    public Uni<List<Payment>> list(SqlConnection c, UUID bookingId, String status, OffsetDateTime afterCreated, UUID afterId, int limit) {
        return c.preparedQuery("select " + COLUMNS + " where ($1::uuid is null or booking_id = $1) and ($2::text is null or status = $2)"
                + " and ($3::timestamptz is null or (created_at, id) > ($3, $4)) order by created_at, id" + RowLimit.of(limit))
                .execute(Tuple.from(Arrays.asList(bookingId, status, afterCreated, afterId)))
                .map(rows -> all(rows, PaymentRepository::payment));
    }

    public Uni<Optional<Payment>> find(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + COLUMNS + " where id = $1").execute(Tuple.of(id)).map(rows -> first(rows).map(PaymentRepository::payment));
    }

    /** The payment of a PaymentIntent on a connected account, locked until the transaction ends. */
    public Uni<Optional<Payment>> lockByIntent(SqlConnection c, String account, String intentId) {
        return c.preparedQuery("select " + COLUMNS + " where payment_intent_id = $1 and stripe_account_id = $2 for update")
                .execute(Tuple.of(intentId, account)).map(rows -> first(rows).map(PaymentRepository::payment));
    }

    public Uni<Void> setStatus(SqlConnection c, UUID id, String status) {
        return c.preparedQuery("update payment.payments set status = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, status)).replaceWithVoid();
    }

    public Uni<Void> flag(SqlConnection c, UUID id, String flag) {
        return c.preparedQuery("update payment.payments set flag = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, flag)).replaceWithVoid();
    }

    public Uni<Void> setRefunded(SqlConnection c, UUID id, long refundedMinor) {
        return c.preparedQuery("update payment.payments set refunded_minor = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, refundedMinor)).replaceWithVoid();
    }

    /** A booking as booking-service announced it, and whether its hold still runs. */
    public record PayableBooking(UUID bookingId, long amountMinor, String currency, String status, boolean holdRunning) {
    }

    /** The booking with this public reference, locked until the transaction ends: one checkout of it at a time. */
    public Uni<Optional<PayableBooking>> lockBooking(SqlConnection c, String reference) {
        return c.preparedQuery("select booking_id, amount_minor, currency, status, hold_expires_at is null or hold_expires_at > now() as hold_running"
                + " from payment.bookings where reference = $1 for update").execute(Tuple.of(reference))
                .map(rows -> first(rows).map(r -> new PayableBooking(r.getUUID("booking_id"), r.getLong("amount_minor"), r.getString("currency"),
                        r.getString("status"), r.getBoolean("hold_running"))));
    }

    /** One attempt to pay a booking, as a checkout needs it (the connected account it is on). */
    public record Attempt(UUID id, UUID bookingId, int attempt, String status, long amountMinor, String currency, long applicationFeeMinor,
            String stripeAccountId) {
    }

    private static final String ATTEMPT_FIELDS = "id, booking_id, attempt, status, amount_minor, currency, application_fee_minor, stripe_account_id";

    /** The booking's latest attempt that is open or paid. */
    public Uni<Optional<Attempt>> latestAttempt(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select " + ATTEMPT_FIELDS + " from payment.payments where booking_id = $1"
                + " and status in ('creating', 'requires_payment', 'processing', 'succeeded') order by attempt desc limit 1")
                .execute(Tuple.of(bookingId)).map(rows -> first(rows).map(PaymentRepository::attempt));
    }

    /** The scope's tenant's connected account, if it takes charges. */
    public Uni<Optional<String>> chargeableAccount(SqlConnection c) {
        return c.query("select stripe_account_id from payment.connected_accounts where charges_enabled").execute()
                .map(rows -> first(rows).map(r -> r.getString("stripe_account_id")));
    }

    /** A new attempt, numbered after the booking's earlier ones. */
    public Uni<Attempt> insertAttempt(SqlConnection c, UUID tenantId, UUID bookingId, String account, long amountMinor, String currency,
            long applicationFeeMinor) {
        return c.preparedQuery("insert into payment.payments (tenant_id, booking_id, attempt, stripe_account_id, amount_minor, currency,"
                + " application_fee_minor) values ($1, $2, coalesce((select max(attempt) from payment.payments where booking_id = $2), 0) + 1,"
                + " $3, $4, $5, $6) returning " + ATTEMPT_FIELDS)
                .execute(Tuple.from(Arrays.asList(tenantId, bookingId, account, amountMinor, currency, applicationFeeMinor)))
                .map(rows -> attempt(rows.iterator().next()));
    }

    /** The PaymentIntent Stripe created for an attempt still being created. */
    public Uni<Void> recordIntent(SqlConnection c, UUID id, String intentId) {
        return c.preparedQuery("update payment.payments set payment_intent_id = $2, status = 'requires_payment', updated_at = now()"
                + " where id = $1 and status = 'creating'").execute(Tuple.of(id, intentId)).replaceWithVoid();
    }

    /** An attempt Stripe created nothing for is closed, so the next checkout starts afresh. */
    public Uni<Void> abandonAttempt(SqlConnection c, UUID id) {
        return c.preparedQuery("update payment.payments set status = 'canceled', updated_at = now() where id = $1 and status = 'creating'")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /** A PaymentIntent that may still take money, and the connected account it is on. */
    public record OpenIntent(String intentId, String account) {
    }

    private static final String OPEN_INTENTS = "select payment_intent_id, stripe_account_id from payment.payments"
            + " where payment_intent_id is not null and status in ('requires_payment', 'processing') and booking_id = ";

    /** The PaymentIntents of a booking that may still take money. */
    public Uni<List<OpenIntent>> openIntents(SqlConnection c, UUID bookingId) {
        return openIntents(c, "$1", bookingId);
    }

    /** The same, of the booking with this public reference. */
    public Uni<List<OpenIntent>> openIntentsOfReference(SqlConnection c, String reference) {
        return openIntents(c, "(select booking_id from payment.bookings where reference = $1)", reference);
    }

    private static Uni<List<OpenIntent>> openIntents(SqlConnection c, String booking, Object parameter) {
        return c.preparedQuery(OPEN_INTENTS + booking).execute(Tuple.of(parameter))
                .map(rows -> all(rows, r -> new OpenIntent(r.getString("payment_intent_id"), r.getString("stripe_account_id"))));
    }

    /** Cancels this booking's unpaid checkouts whose PaymentIntents Stripe has cancelled. */
    public Uni<Void> cancelCheckouts(SqlConnection c, UUID bookingId, List<String> cancelledIntents) {
        return c.preparedQuery("update payment.payments set status = 'canceled', updated_at = now()"
                + " where booking_id = $1 and status = 'requires_payment' and payment_intent_id = any($2)")
                .execute(Tuple.of(bookingId, cancelledIntents.toArray(String[]::new))).replaceWithVoid();
    }

    /**
     * Where a booking's card payments stand, for a gift card to pay it: one paid or being paid (or a checkout started within the
     * minute, whose PaymentIntent may yet come), and one waiting for the guest.
     */
    public record CardPayments(boolean underWay, boolean awaitingGuest) {
    }

    public Uni<CardPayments> cardPayments(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select coalesce(bool_or(status in ('processing', 'succeeded')"
                + " or (status = 'creating' and created_at > now() - interval '1 minute')), false) as under_way,"
                + " coalesce(bool_or(status = 'requires_payment'), false) as awaiting_guest from payment.payments where booking_id = $1")
                .execute(Tuple.of(bookingId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new CardPayments(r.getBoolean("under_way"), r.getBoolean("awaiting_guest"));
                });
    }

    /** Closes the checkouts of a booking whose PaymentIntent was never created (the request died). */
    public Uni<Void> closeStalledCheckouts(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("update payment.payments set status = 'canceled', updated_at = now()"
                + " where booking_id = $1 and status = 'creating' and payment_intent_id is null")
                .execute(Tuple.of(bookingId)).replaceWithVoid();
    }

    /** What gift cards paid towards a booking: their debits less what was given back. */
    public Uni<Long> giftCardPaid(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select coalesce(sum(case when kind = 'debit' then amount_minor else -amount_minor end), 0)::bigint as paid"
                + " from payment.gift_card_ledger where booking_id = $1").execute(Tuple.of(bookingId))
                .map(rows -> rows.iterator().next().getLong("paid"));
    }

    public Uni<List<Refund>> refunds(SqlConnection c, UUID paymentId) {
        return c.preparedQuery("select id, payment_id, amount_minor, reason, requested_by, status, created_at from payment.refunds"
                + " where payment_id = $1 order by created_at, id").execute(Tuple.of(paymentId))
                .map(rows -> all(rows, r -> new Refund(r.getUUID("id"), r.getUUID("payment_id"), r.getLong("amount_minor"), r.getString("reason"),
                        r.getUUID("requested_by"), r.getString("status"), r.getOffsetDateTime("created_at"))));
    }

    private static Attempt attempt(Row r) {
        return new Attempt(r.getUUID("id"), r.getUUID("booking_id"), r.getInteger("attempt"), r.getString("status"), r.getLong("amount_minor"),
                r.getString("currency"), r.getLong("application_fee_minor"), r.getString("stripe_account_id"));
    }

    private static Payment payment(Row r) {
        return new Payment(r.getUUID("id"), r.getUUID("booking_id"), r.getInteger("attempt"), r.getString("status"), r.getLong("amount_minor"),
                r.getString("currency"), r.getLong("application_fee_minor"), r.getLong("refunded_minor"), r.getString("flag"),
                r.getString("payment_intent_id"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
    }
}
