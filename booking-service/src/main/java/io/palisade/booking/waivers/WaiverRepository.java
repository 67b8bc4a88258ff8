package io.palisade.booking.waivers;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scope's tenant's waiver versions and signatures (RLS): staff under their tenant scope, guests under the worker scope. */
@ApplicationScoped
public class WaiverRepository {

    public record Waiver(int version, String text, OffsetDateTime createdAt) {
    }

    /** The current version, and what the booking signed, if it did. */
    public record GuestWaiver(int version, String text, Integer signedVersion, OffsetDateTime signedAt, String signerName) {
    }

    /** The newest version and whether the booking has signed any. */
    public record SigningState(Integer currentVersion, boolean signed) {
    }

    public Uni<Optional<Waiver>> current(SqlConnection c) {
        return c.query("select version, text, created_at from booking.waivers order by version desc limit 1").execute()
                .map(rows -> first(rows).map(r -> new Waiver(r.getInteger("version"), r.getString("text"), r.getOffsetDateTime("created_at"))));
    }

    /** The next version; two at once collide on the unique version (23505). */
    public Uni<Waiver> publish(SqlConnection c, UUID tenantId, String text, UUID publishedBy) {
        return c.preparedQuery("insert into booking.waivers (tenant_id, version, text, created_by)"
                + " select $1, coalesce(max(version), 0) + 1, $2, $3 from booking.waivers returning version, text, created_at")
                .execute(Tuple.of(tenantId, text, publishedBy))
                .map(rows -> rows.iterator().next())
                .map(r -> new Waiver(r.getInteger("version"), r.getString("text"), r.getOffsetDateTime("created_at")));
    }

    public Uni<SigningState> signingState(SqlConnection c, UUID bookingId) {
        return c.preparedQuery("select (select max(version) from booking.waivers) as current,"
                + " exists (select 1 from booking.waiver_signatures where booking_id = $1) as signed").execute(Tuple.of(bookingId))
                .map(rows -> rows.iterator().next())
                .map(r -> new SigningState(r.getInteger("current"), r.getBoolean("signed")));
    }

    public Uni<Void> sign(SqlConnection c, UUID bookingId, UUID tenantId, int version, String signer) {
        return c.preparedQuery("insert into booking.waiver_signatures (booking_id, tenant_id, waiver_version, signer_name)"
                + " values ($1, $2, $3, $4)").execute(Tuple.of(bookingId, tenantId, version, signer)).replaceWithVoid();
    }

    public Uni<Optional<GuestWaiver>> forBooking(SqlConnection c, String reference) {
        return c.preparedQuery("select w.version, w.text, s.waiver_version as signed_version, s.signed_at, s.signer_name"
                + " from booking.bookings b"
                + " join lateral (select * from booking.waivers w where w.tenant_id = b.tenant_id order by w.version desc limit 1) w on true"
                + " left join booking.waiver_signatures s on s.booking_id = b.id where b.public_ref = $1").execute(Tuple.of(reference))
                .map(rows -> first(rows).map(r -> new GuestWaiver(r.getInteger("version"), r.getString("text"),
                        r.getInteger("signed_version"), r.getOffsetDateTime("signed_at"), r.getString("signer_name"))));
    }
}
