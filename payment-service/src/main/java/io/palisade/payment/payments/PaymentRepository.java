package io.palisade.payment.payments;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The tenant's payments and refunds as staff read them (RLS: the caller's tenant only). */
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
                + " and ($3::timestamptz is null or (created_at, id) > ($3, $4)) order by created_at, id limit $5")
                .execute(Tuple.from(Arrays.asList(bookingId, status, afterCreated, afterId, limit)))
                .map(rows -> all(rows, PaymentRepository::payment));
    }

    public Uni<Optional<Payment>> find(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + COLUMNS + " where id = $1").execute(Tuple.of(id)).map(rows -> first(rows).map(PaymentRepository::payment));
    }

    public Uni<List<Refund>> refunds(SqlConnection c, UUID paymentId) {
        return c.preparedQuery("select id, payment_id, amount_minor, reason, requested_by, status, created_at from payment.refunds"
                + " where payment_id = $1 order by created_at, id").execute(Tuple.of(paymentId))
                .map(rows -> all(rows, r -> new Refund(r.getUUID("id"), r.getUUID("payment_id"), r.getLong("amount_minor"), r.getString("reason"),
                        r.getUUID("requested_by"), r.getString("status"), r.getOffsetDateTime("created_at"))));
    }

    private static Payment payment(Row r) {
        return new Payment(r.getUUID("id"), r.getUUID("booking_id"), r.getInteger("attempt"), r.getString("status"), r.getLong("amount_minor"),
                r.getString("currency"), r.getLong("application_fee_minor"), r.getLong("refunded_minor"), r.getString("flag"),
                r.getString("payment_intent_id"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
    }
}
