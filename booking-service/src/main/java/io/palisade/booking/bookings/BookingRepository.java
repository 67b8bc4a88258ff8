package io.palisade.booking.bookings;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Bookings of the caller's tenant (row-level security filters; this class never names a tenant). */
@ApplicationScoped
public class BookingRepository {

    public record Booking(UUID id, UUID slotId, UUID offeringId, OffsetDateTime slotStartsAt, int seats, String status,
            long amountMinor, String currency, OffsetDateTime holdExpiresAt, OffsetDateTime createdAt) {
    }

    /** What staff filter by; null means any. */
    public record Filter(UUID slotId, String status, OffsetDateTime startsFrom, OffsetDateTime startsBefore) {
    }

    private static final String COLUMNS = "b.id, b.slot_id, s.offering_id, s.starts_at, b.seats, b.status, b.amount_minor, b.currency,"
            + " b.hold_expires_at, b.created_at from booking.bookings b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id";

    /**
     * One page of the tenant's bookings in creation order, after the cursor. The statement holds only the filters given
     * (fixed fragments, every value a parameter): with "($1 is null or ...)" for absent ones, PostgreSQL's generic plan
     * for the prepared statement could not see that nothing filters, and sorted every booking of the tenant for each
     * page. Without them the page is read in the order of bookings_tenant_created_idx (tenant_id, created_at, id) and
     * stops after its rows, however many bookings the tenant has (docs/performance.md, B3).
     */
    public Uni<List<Booking>> list(SqlConnection c, Filter filter, OffsetDateTime afterCreated, UUID afterId, int limit) {
        List<Object> values = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where true");
        if (filter.slotId() != null) {
            values.add(filter.slotId());
            where.append(" and b.slot_id = $").append(values.size());
        }
        if (filter.status() != null) {
            values.add(filter.status());
            where.append(" and b.status = $").append(values.size());
        }
        if (filter.startsFrom() != null || filter.startsBefore() != null) {
            where.append(" and b.slot_id in (select s.id from booking.slots s where true");
            if (filter.startsFrom() != null) {
                values.add(filter.startsFrom());
                where.append(" and s.starts_at >= $").append(values.size());
            }
            if (filter.startsBefore() != null) {
                values.add(filter.startsBefore());
                where.append(" and s.starts_at < $").append(values.size());
            }
            where.append(')');
        }
        if (afterCreated != null) {
            values.add(afterCreated);
            values.add(afterId);
            where.append(" and (b.created_at, b.id) > ($").append(values.size() - 1).append(", $").append(values.size()).append(')');
        }
        return c.preparedQuery("select b.id, b.slot_id, s.offering_id, s.starts_at, b.seats, b.status, b.amount_minor, b.currency,"
                + " b.hold_expires_at, b.created_at from (select * from booking.bookings b" + where + " order by b.created_at, b.id"
                + RowLimit.of(limit) + ") b join booking.slots s on s.tenant_id = b.tenant_id and s.id = b.slot_id order by b.created_at, b.id")
                .execute(Tuple.from(values))
                .map(rows -> all(rows, BookingRepository::booking));
    }

    public Uni<Optional<Booking>> lock(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + COLUMNS + " where b.id = $1 for update of b").execute(Tuple.of(id))
                .map(rows -> first(rows).map(BookingRepository::booking));
    }

    /** A booking by its public reference (guest links name bookings by it), locked. */
    public Uni<Optional<Booking>> lockByReference(SqlConnection c, String reference) {
        return c.preparedQuery("select " + COLUMNS + " where b.public_ref = $1 for update of b").execute(Tuple.of(reference))
                .map(rows -> first(rows).map(BookingRepository::booking));
    }

    /** The active bookings of a slot, or the listed ones of it, locked. */
    public Uni<List<Booking>> lockActive(SqlConnection c, UUID slotId, List<UUID> only) {
        return c.preparedQuery("select " + COLUMNS + " where b.slot_id = $1 and b.status in ('held', 'pending_payment', 'confirmed')"
                + " and ($2::uuid[] is null or b.id = any($2)) order by b.created_at, b.id for update of b")
                .execute(Tuple.of(slotId, only == null ? null : only.toArray(UUID[]::new)))
                .map(rows -> all(rows, BookingRepository::booking));
    }

    /** Moves bookings to another slot in one statement: the trigger moves their seats, the CHECK guards capacity. */
    public Uni<Integer> move(SqlConnection c, List<UUID> ids, UUID toSlot) {
        return c.preparedQuery("update booking.bookings set slot_id = $2, updated_at = now() where id = any($1)")
                .execute(Tuple.of(ids.toArray(UUID[]::new), toSlot)).map(rows -> rows.rowCount());
    }

    public Uni<Boolean> slotExists(SqlConnection c, UUID slotId) {
        return c.preparedQuery("select 1 from booking.slots where id = $1").execute(Tuple.of(slotId)).map(rows -> rows.size() > 0);
    }

    public Uni<Void> setStatus(SqlConnection c, UUID id, String status) {
        return c.preparedQuery("update booking.bookings set status = $2, hold_expires_at = null, updated_at = now() where id = $1")
                .execute(Tuple.of(id, status)).replaceWithVoid();
    }

    /** A hold that ran out: expired, its seats freed by the trigger; when it would have ended stays recorded. */
    public Uni<Void> markExpired(SqlConnection c, UUID id) {
        return c.preparedQuery("update booking.bookings set status = 'expired', updated_at = now() where id = $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }

    /**
     * Adds a booking nobody's yet to the guest the tenant knows under the email given with it (once that email is
     * proven); whether it did.
     */
    public Uni<Boolean> attachToKnownGuest(SqlConnection c, UUID id) {
        return c.preparedQuery("update booking.bookings b set guest_id = g.id, updated_at = now()"
                + " from booking.booking_contacts k join booking.guests g on g.tenant_id = k.tenant_id and g.email_lookup = k.email_lookup"
                + " where b.id = $1 and b.guest_id is null and k.booking_id = b.id").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    private static Booking booking(Row r) {
        return new Booking(r.getUUID("id"), r.getUUID("slot_id"), r.getUUID("offering_id"), r.getOffsetDateTime("starts_at"),
                r.getInteger("seats"), r.getString("status"), r.getLong("amount_minor"), r.getString("currency"),
                r.getOffsetDateTime("hold_expires_at"), r.getOffsetDateTime("created_at"));
    }
}
