package io.palisade.booking.waivers;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.booking.bookings.BookingRepository;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Waiver versions (staff) and signatures (guests, by waiver token, under the worker scope of its tenant). */
@ApplicationScoped
public class WaiverService {

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final GuestTokens tokens;
    private final AuditLog audit;
    private final WaiverRepository waivers;
    private final BookingRepository bookings;

    WaiverService(TenantTransactions tx, CurrentTenant currentTenant, GuestTokens tokens, AuditLog audit, WaiverRepository waivers,
            BookingRepository bookings) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.tokens = tokens;
        this.audit = audit;
        this.waivers = waivers;
        this.bookings = bookings;
    }

    public Uni<WaiverRepository.Waiver> current() {
        return tx.inTenant(currentTenant.get(), c -> waivers.current(c).map(found -> found.orElseThrow(() -> ProblemException.notFound("a waiver"))));
    }

    public Uni<WaiverRepository.Waiver> publish(String text, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> waivers.publish(c, caller.tenantId(), text, caller.userId())
                .call(w -> audit.record(c, new AuditEvent(caller.tenantId(), "waiver.published", AuditEvent.Actor.of(caller, clientIp),
                        "waiver", String.valueOf(w.version()), AuditEvent.SUCCESS, null, new JsonObject().put("version", w.version()), null))))
                .onFailure(e -> e instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState()))
                .transform(e -> ProblemException.conflict("another version was published at the same time; try again"));
    }

    /** The waiver the token's booking is asked to sign (the current version), and what was signed, if it was. */
    public Uni<WaiverRepository.GuestWaiver> forGuest(String token) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> guestWaiver(c, claims.bookingRef()));
    }

    /**
     * The guest signs the version they were shown, once; a newer version since then must be read first. Under the
     * worker scope of the token's tenant, the booking locked so two signatures are checked one after the other.
     */
    public Uni<WaiverRepository.GuestWaiver> sign(String token, int version, String signer) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.worker(claims.tenantId()), c -> bookings.lockByReference(c, claims.bookingRef()).chain(found -> {
            BookingRepository.Booking booking = found.orElseThrow(() -> ProblemException.notFound("a waiver for this booking"));
            return waivers.signingState(c, booking.id())
                    .chain(state -> {
                        if (state.currentVersion() == null) {
                            throw ProblemException.notFound("a waiver for this booking");
                        }
                        if (state.signed()) {
                            throw ProblemException.conflict("this booking's waiver is already signed");
                        }
                        if (version != state.currentVersion()) {
                            throw ProblemException.conflict("the waiver changed; read the current version and sign that");
                        }
                        return waivers.sign(c, booking.id(), claims.tenantId(), version, signer)
                                .chain(() -> audit.record(c, new AuditEvent(claims.tenantId(), "waiver.signed", new AuditEvent.Actor(null, "guest", null, null),
                                        "booking", booking.id().toString(), AuditEvent.SUCCESS, null, new JsonObject().put("waiverVersion", version), null)));
                    })
                    .chain(() -> guestWaiver(c, claims.bookingRef()));
        }));
    }

    private Uni<WaiverRepository.GuestWaiver> guestWaiver(SqlConnection c, String reference) {
        return waivers.forBooking(c, reference).map(found -> found.orElseThrow(() -> ProblemException.notFound("a waiver for this booking")));
    }

    private GuestTokens.Claims waiverClaims(String token) {
        return tokens.verify(GuestTokens.Domain.WAIVER, token)
                .orElseThrow(() -> ProblemException.unauthorized("a valid waiver link is required (it may have expired)"));
    }
}
