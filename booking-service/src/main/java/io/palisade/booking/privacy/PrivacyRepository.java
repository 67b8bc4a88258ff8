package io.palisade.booking.privacy;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The staff's privacy SQL, under the caller's tenant scope: guests by email lookup, their data, erasure requests. */
@ApplicationScoped
public class PrivacyRepository {

    public record GuestSummary(UUID id, String name, boolean anonymized, OffsetDateTime createdAt) {
    }

    /** A guest's row as stored: personal fields sealed, opened by the service. */
    public record StoredGuest(String name, String emailLookup, String emailSealed, String phoneSealed, String dietarySealed,
            String allergiesSealed, boolean anonymized, OffsetDateTime createdAt) {
    }

    public record GuestBooking(UUID id, String status, int seats, long amountMinor, String currency, String offering,
            OffsetDateTime startsAt, OffsetDateTime bookedAt) {
    }

    public record ErasureRequest(UUID id, UUID guestId, String status, OffsetDateTime requestedAt, OffsetDateTime dueAt,
            OffsetDateTime completedAt) {
    }

    public Uni<List<GuestSummary>> guestsByEmailLookup(SqlConnection c, String emailLookup) {
        return c.preparedQuery("select id, name, anonymized_at, created_at from booking.guests where email_lookup = $1")
                .execute(Tuple.of(emailLookup))
                .map(rows -> all(rows, r -> new GuestSummary(r.getUUID("id"), r.getString("name"), r.getValue("anonymized_at") != null,
                        r.getOffsetDateTime("created_at"))));
    }

    public Uni<Optional<StoredGuest>> guest(SqlConnection c, UUID guestId) {
        return c.preparedQuery("select name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed,"
                + " anonymized_at, created_at from booking.guests where id = $1").execute(Tuple.of(guestId))
                .map(rows -> first(rows).map(r -> new StoredGuest(r.getString("name"), r.getString("email_lookup"), r.getString("email_sealed"),
                        r.getString("phone_sealed"), r.getString("dietary_sealed"), r.getString("allergies_sealed"),
                        r.getValue("anonymized_at") != null, r.getOffsetDateTime("created_at"))));
    }

    /** The guest's bookings, and those others made giving the guest's email (kept apart from the guest), oldest first. */
    public Uni<List<GuestBooking>> bookingsOf(SqlConnection c, UUID guestId, String emailLookup) {
        return c.preparedQuery("select b.id, b.status, b.seats, b.amount_minor, b.currency, b.created_at, s.starts_at, o.name"
                + " from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id"
                + " join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id"
                + " where b.guest_id = $1 or b.id in (select k.booking_id from booking.booking_contacts k where k.email_lookup = $2)"
                + " order by b.created_at").execute(Tuple.of(guestId, emailLookup))
                .map(rows -> all(rows, b -> new GuestBooking(b.getUUID("id"), b.getString("status"), b.getInteger("seats"),
                        b.getLong("amount_minor"), b.getString("currency"), b.getString("name"), b.getOffsetDateTime("starts_at"),
                        b.getOffsetDateTime("created_at"))));
    }

    public Uni<Boolean> guestExists(SqlConnection c, UUID guestId) {
        return c.preparedQuery("select 1 from booking.guests where id = $1").execute(Tuple.of(guestId)).map(rows -> rows.size() > 0);
    }

    public Uni<ErasureRequest> insertErasureRequest(SqlConnection c, UUID id, UUID tenantId, UUID guestId, UUID requestedBy, Duration due) {
        return c.preparedQuery("insert into booking.erasure_requests (id, tenant_id, guest_id, requested_by, due_at)"
                + " values ($1, $2, $3, $4, now() + make_interval(secs => $5))"
                + " returning id, guest_id, status, requested_at, due_at, completed_at")
                .execute(Tuple.of(id, tenantId, guestId, requestedBy, (double) due.toSeconds()))
                .map(rows -> erasureRequest(rows.iterator().next()));
    }

    /** The newest 200 requests. */
    public Uni<List<ErasureRequest>> erasureRequests(SqlConnection c) {
        return c.query("select id, guest_id, status, requested_at, due_at, completed_at"
                + " from booking.erasure_requests order by requested_at desc limit 200").execute()
                .map(rows -> all(rows, PrivacyRepository::erasureRequest));
    }

    private static ErasureRequest erasureRequest(Row r) {
        return new ErasureRequest(r.getUUID("id"), r.getUUID("guest_id"), r.getString("status"), r.getOffsetDateTime("requested_at"),
                r.getOffsetDateTime("due_at"), r.getOffsetDateTime("completed_at"));
    }
}
