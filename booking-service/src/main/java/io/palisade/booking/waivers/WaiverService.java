package io.palisade.booking.waivers;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.first;

import io.palisade.booking.bookings.BookingRepository;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Waiver versions (staff) and signatures (guests, by waiver token, under the worker scope of its tenant). */
@ApplicationScoped
public class Waivers {

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final GuestTokens tokens;
    private final AuditLog audit;
    private final BookingRepository bookings;

    Waivers(TenantTransactions tx, CurrentTenant currentTenant, GuestTokens tokens, AuditLog audit, BookingRepository bookings) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.tokens = tokens;
        this.audit = audit;
        this.bookings = bookings;
    }

    public Uni<WaiverResource.Waiver> current() {
        return tx.inTenant(currentTenant.get(), c -> c.query("select version, text, created_at from booking.waivers order by version desc limit 1")
                .execute().map(rows -> first(rows).map(r -> new WaiverResource.Waiver(r.getInteger("version"), r.getString("text"),
                        r.getOffsetDateTime("created_at"))).orElseThrow(() -> ProblemException.notFound("a waiver"))));
    }

    public Uni<WaiverResource.Waiver> publish(String text, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> c.preparedQuery("insert into booking.waivers (tenant_id, version, text, created_by)"
                + " select $1, coalesce(max(version), 0) + 1, $2, $3 from booking.waivers returning version, text, created_at")
                .execute(Tuple.of(caller.tenantId(), text, caller.userId()))
                .map(rows -> rows.iterator().next())
                .map(r -> new WaiverResource.Waiver(r.getInteger("version"), r.getString("text"), r.getOffsetDateTime("created_at")))
                .call(w -> audit.record(c, new AuditEvent(caller.tenantId(), "waiver.published", AuditEvent.Actor.of(caller, clientIp),
                        "waiver", String.valueOf(w.version()), AuditEvent.SUCCESS, null, new JsonObject().put("version", w.version()), null))))
                .onFailure(e -> e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState()))
                .transform(e -> ProblemException.conflict("another version was published at the same time; try again"));
    }

    /** The waiver the token's booking is asked to sign (the current version), and what was signed, if it was. */
    public Uni<WaiverResource.GuestWaiver> forGuest(String token) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> guestWaiver(c, claims.bookingRef()));
    }

    /**
     * The guest signs the version they were shown, once; a newer version since then must be read first. Under the
     * worker scope of the token's tenant, the booking locked so two signatures are checked one after the other.
     */
    public Uni<WaiverResource.GuestWaiver> sign(String token, int version, String signer) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> bookings.lockByReference(c, claims.bookingRef()).chain(found -> {
            BookingRepository.Booking booking = found.orElseThrow(() -> ProblemException.notFound("a waiver for this booking"));
            return c.preparedQuery("select (select max(version) from booking.waivers) as current,"
                    + " exists (select 1 from booking.waiver_signatures where booking_id = $1) as signed").execute(Tuple.of(booking.id()))
                    .chain(rows -> {
                        var state = rows.iterator().next();
                        Integer current = state.getInteger("current");
                        if (current == null) {
                            throw ProblemException.notFound("a waiver for this booking");
                        }
                        if (state.getBoolean("signed")) {
                            throw ProblemException.conflict("this booking's waiver is already signed");
                        }
                        if (version != current) {
                            throw ProblemException.conflict("the waiver changed; read the current version and sign that");
                        }
                        return c.preparedQuery("insert into booking.waiver_signatures (booking_id, tenant_id, waiver_version, signer_name)"
                                + " values ($1, $2, $3, $4)").execute(Tuple.of(booking.id(), claims.tenantId(), current, signer))
                                .chain(() -> audit.record(c, new AuditEvent(claims.tenantId(), "waiver.signed", new AuditEvent.Actor(null, "guest", null, null),
                                        "booking", booking.id().toString(), AuditEvent.SUCCESS, null, new JsonObject().put("waiverVersion", current), null)));
                    })
                    .chain(() -> guestWaiver(c, claims.bookingRef()));
        }));
    }

    private Uni<WaiverResource.GuestWaiver> guestWaiver(SqlConnection c, String reference) {
        return c.preparedQuery("select w.version, w.text, s.waiver_version as signed_version, s.signed_at, s.signer_name"
                + " from booking.bookings b"
                + " join lateral (select * from booking.waivers w where w.tenant_id = b.tenant_id order by w.version desc limit 1) w on true"
                + " left join booking.waiver_signatures s on s.booking_id = b.id where b.public_ref = $1").execute(Tuple.of(reference))
                .map(rows -> first(rows).map(r -> new WaiverResource.GuestWaiver(r.getInteger("version"), r.getString("text"),
                        r.getInteger("signed_version"), r.getOffsetDateTime("signed_at"), r.getString("signer_name")))
                        .orElseThrow(() -> ProblemException.notFound("a waiver for this booking")));
    }

    private GuestTokens.Claims waiverClaims(String token) {
        return tokens.verify(GuestTokens.Domain.WAIVER, token)
                .orElseThrow(() -> ProblemException.unauthorized("a valid waiver link is required (it may have expired)"));
    }
}
