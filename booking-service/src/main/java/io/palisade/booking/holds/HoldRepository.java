package io.palisade.booking.holds;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.booking.guests.GuestData;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The widget's SQL, run under a visitor's scope (DbScope.visitor): its policies show published offerings and their
 * slots of the one tenant, and admit the inserts of a hold. Nothing here may read back what it wrote (RETURNING would
 * need a read policy a visitor does not have): ids and references are made before the insert. The expiry's two
 * statements are here too: the allow-listed claim of due holds and the upkeep scope's cleanup of old attempts.
 */
@ApplicationScoped
public class HoldRepository {

    /** A slot's price and currency for a hold of some seats, and when the hold made now would expire. */
    public record Terms(long amountMinor, String currency, OffsetDateTime holdExpiresAt) {
    }

    public record Limits(int windowSeconds, int perClient, int perNetwork, int perEmail, int seatsPerClientSlot) {
    }

    /** Which limit refuses a hold ('client', 'client_slot', 'network', 'email'), and when to try again. */
    public record Refusal(String limit, int retryAfterSeconds) {
    }

    /** A hold whose time ran out, found across tenants; it is expired under its own tenant's worker scope. */
    public record DueExpiry(UUID tenantId, UUID bookingId) {
    }

    /** At most {@code limit} due holds, oldest first (the definer {@code booking.due_hold_expiries}). */
    public Uni<List<DueExpiry>> dueExpiries(SqlConnection c, int limit) {
        return c.preparedQuery("select tenant_id, booking_id from booking.due_hold_expiries($1)").execute(Tuple.of(limit))
                .map(rows -> all(rows, r -> new DueExpiry(r.getUUID("tenant_id"), r.getUUID("booking_id"))));
    }

    /** Drops the hold attempts that left the limit window (the upkeep scope admits only those). */
    public Uni<Void> forgetAttemptsBefore(SqlConnection c, java.time.Duration window) {
        return c.preparedQuery("delete from booking.hold_attempts where made_at <= now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) window.toSeconds())).replaceWithVoid();
    }

    public Uni<List<HoldService.Availability>> availability(SqlConnection c, OffsetDateTime from, OffsetDateTime until) {
        // The policies keep out unpublished offerings and other tenants; the statement says what the widget lists.
        return c.preparedQuery("select o.id as offering_id, o.name, o.description, o.price_minor, o.currency, o.duration_minutes,"
                + " s.id as slot_id, s.starts_at, s.ends_at, s.capacity - s.seats_taken as free_seats"
                + " from booking.offerings o join booking.slots s on s.tenant_id = o.tenant_id and s.offering_id = o.id"
                + " where o.tenant_id = tenancy.current_tenant_id() and o.published and s.starts_at >= greatest($1, now()) and s.starts_at < $2"
                + " and s.capacity > s.seats_taken order by s.starts_at, s.id limit 500")
                .execute(Tuple.of(from, until))
                .map(rows -> all(rows, r -> new HoldService.Availability(r.getUUID("offering_id"), r.getString("name"), r.getString("description"),
                        r.getLong("price_minor"), r.getString("currency"), r.getInteger("duration_minutes"), r.getUUID("slot_id"),
                        r.getOffsetDateTime("starts_at"), r.getOffsetDateTime("ends_at"), r.getInteger("free_seats"))));
    }

    /** Counts the client's, its network's and the email's recent holds and records this one, or answers the refusal. */
    public Uni<Optional<Refusal>> admit(SqlConnection c, UUID tenantId, String clientKey, String networkKey, String emailKey, UUID slotId,
            int seats, Limits limits) {
        return c.preparedQuery("select refused_by, retry_after_seconds from booking.admit_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(Arrays.asList(tenantId, clientKey, networkKey, emailKey, slotId, seats, limits.windowSeconds(),
                        limits.perClient(), limits.perNetwork(), limits.perEmail(), limits.seatsPerClientSlot())))
                .map(rows -> first(rows).filter(r -> r.getString("refused_by") != null)
                        .map(r -> new Refusal(r.getString("refused_by"), r.getInteger("retry_after_seconds"))));
    }

    /** Empty for a slot that is not bookable from the widget: none of this tenant's, unpublished, or started. */
    public Uni<Optional<Terms>> terms(SqlConnection c, UUID slotId, int seats, int holdSeconds) {
        return c.preparedQuery("select o.price_minor * $2 as amount_minor, o.currency, now() + make_interval(secs => $3) as hold_expires_at"
                + " from booking.slots s join booking.offerings o on o.tenant_id = s.tenant_id and o.id = s.offering_id"
                + " where s.tenant_id = tenancy.current_tenant_id() and s.id = $1 and o.published and s.starts_at > now()")
                .execute(Tuple.of(slotId, seats, holdSeconds))
                .map(rows -> first(rows).map(r -> new Terms(r.getLong("amount_minor"), r.getString("currency"), r.getOffsetDateTime("hold_expires_at"))));
    }

    /** A new email becomes a guest; a known one stays as it is. True when this made the guest. */
    public Uni<Boolean> addGuest(SqlConnection c, UUID tenantId, UUID guestId, GuestData.Sealed guest) {
        return c.preparedQuery("insert into booking.guests (id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing")
                .execute(Tuple.from(Arrays.asList(guestId, tenantId, guest.name(), guest.emailLookup(), guest.email(), guest.phone(),
                        guest.dietaryNeeds(), guest.allergies())))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * The held booking (its seats taken by the trigger in the same statement, the CHECK refusing an oversell), the contact
     * details given with it and the proof link's hash. guestId is null for an email already known as a guest: the
     * booking joins that guest only once the link proves the email.
     */
    public Uni<Void> insertHold(SqlConnection c, UUID tenantId, UUID bookingId, String reference, UUID slotId, int seats, Terms terms, UUID guestId,
            GuestData.Sealed guest, String proofHash, int proofSeconds) {
        return c.preparedQuery("with booking as (insert into booking.bookings"
                + " (id, tenant_id, slot_id, seats, status, amount_minor, currency, hold_expires_at, guest_id, public_ref)"
                + " values ($1, $2, $3, $4, 'held', $5, $6, $7, $8, $9)),"
                + " contact as (insert into booking.booking_contacts"
                + " (booking_id, tenant_id, name, email_lookup, email_sealed, phone_sealed, dietary_sealed, allergies_sealed)"
                + " values ($1, $2, $10, $11, $12, $13, $14, $15))"
                + " insert into booking.email_proofs (booking_id, tenant_id, token_hash, expires_at) values ($1, $2, $16, now() + make_interval(secs => $17))")
                .execute(Tuple.from(Arrays.asList(bookingId, tenantId, slotId, seats, terms.amountMinor(), terms.currency(), terms.holdExpiresAt(),
                        guestId, reference, guest.name(), guest.emailLookup(), guest.email(), guest.phone(), guest.dietaryNeeds(),
                        guest.allergies(), proofHash, proofSeconds)))
                .replaceWithVoid();
    }
}
