package io.palisade.booking.guests;

import static io.palisade.common.db.Rows.first;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A booking as its guest sees it, read under the worker scope of the tenant a verified guest link names; and the
 * one statement that learns that tenant from an email proof link.
 */
@ApplicationScoped
public class GuestBookingRepository {

    /** The booking an email proof link was made for; the link is spent. */
    public record RedeemedProof(UUID tenantId, UUID bookingId, String reference) {
    }

    /** Spends an unexpired, unused link by its hash (the allow-listed definer {@code booking.redeem_email_proof}). */
    public Uni<Optional<RedeemedProof>> redeemEmailProof(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select tenant_id, booking_id, public_ref from booking.redeem_email_proof($1)").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new RedeemedProof(r.getUUID("tenant_id"), r.getUUID("booking_id"), r.getString("public_ref"))));
    }

    public Uni<Optional<GuestBookingService.GuestBooking>> find(SqlConnection c, String reference) {
        return c.preparedQuery("select b.public_ref, b.status, b.seats, b.amount_minor, b.currency, b.hold_expires_at, s.starts_at, s.ends_at,"
                + " o.name as offering_name, k.name as guest_name from booking.bookings b"
                + " join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id"
                + " join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id"
                + " left join booking.booking_contacts k on k.booking_id = b.id where b.public_ref = $1")
                .execute(Tuple.of(reference))
                .map(rows -> first(rows).map(r -> new GuestBookingService.GuestBooking(r.getString("public_ref"), r.getString("status"),
                        r.getInteger("seats"), r.getLong("amount_minor"), r.getString("currency"), r.getOffsetDateTime("hold_expires_at"),
                        r.getOffsetDateTime("starts_at"), r.getOffsetDateTime("ends_at"), r.getString("offering_name"), r.getString("guest_name"))));
    }
}
