package io.palisade.payment.bookings;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** payment-service's record of the scope's tenant's bookings (RLS): which may be paid, for how much, and their state. */
@ApplicationScoped
public class BookingRepository {

    /** A booking that may be paid, as booking.created told it; a redelivered one is recorded once. */
    public Uni<Void> record(SqlConnection c, UUID tenantId, UUID bookingId, String reference, long amountMinor, String currency,
            String status, OffsetDateTime holdExpiresAt) {
        return c.preparedQuery("insert into payment.bookings (tenant_id, booking_id, reference, amount_minor, currency, status, hold_expires_at)"
                + " values ($1, $2, $3, $4, $5, $6, $7) on conflict (tenant_id, booking_id) do nothing")
                .execute(Tuple.from(Arrays.asList(tenantId, bookingId, reference, amountMinor, currency, status, holdExpiresAt)))
                .replaceWithVoid();
    }

    /** Moves a recorded booking to {@code status} (null keeps it); false when the booking was never recorded. */
    public Uni<Boolean> setStatus(SqlConnection c, UUID bookingId, String status) {
        return c.preparedQuery("update payment.bookings set status = coalesce($2, status), updated_at = now() where booking_id = $1")
                .execute(Tuple.of(bookingId, status)).map(rows -> rows.rowCount() == 1);
    }
}
