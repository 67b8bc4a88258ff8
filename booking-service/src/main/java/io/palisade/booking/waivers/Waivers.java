package io.palisade.booking.waivers;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import static io.palisade.common.db.Rows.first;

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
import io.vertx.mutiny.sqlclient.Tuple;

/** Waiver versions (staff) and signatures (guests, by waiver token). */
@ApplicationScoped
public class Waivers {

    @Inject
    TenantTransactions tx;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    GuestTokens tokens;

    @Inject
    AuditLog audit;

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

    public Uni<WaiverResource.GuestWaiver> forGuest(String token) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from booking.guest_waiver($1, $2)")
                .execute(Tuple.of(claims.tenantId(), claims.bookingRef()))
                .map(rows -> first(rows).map(r -> new WaiverResource.GuestWaiver(r.getInteger("version"), r.getString("text"),
                        r.getInteger("signed_version"), r.getOffsetDateTime("signed_at"), r.getString("signer_name")))
                        .orElseThrow(() -> ProblemException.notFound("a waiver for this booking"))));
    }

    public Uni<WaiverResource.GuestWaiver> sign(String token, int version, String signer) {
        GuestTokens.Claims claims = waiverClaims(token);
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select booking.sign_waiver($1, $2, $3, $4) as outcome")
                .execute(Tuple.of(claims.tenantId(), claims.bookingRef(), version, signer))
                .map(rows -> rows.iterator().next().getString("outcome")))
                .chain(outcome -> switch (outcome) {
                    case "signed" -> forGuest(token);
                    case "already_signed" -> throw ProblemException.conflict("this booking's waiver is already signed");
                    case "stale_version" -> throw ProblemException.conflict("the waiver changed; read the current version and sign that");
                    default -> throw ProblemException.notFound("a waiver for this booking");
                });
    }

    private GuestTokens.Claims waiverClaims(String token) {
        return tokens.verify(GuestTokens.Domain.WAIVER, token)
                .orElseThrow(() -> ProblemException.unauthorized("a valid waiver link is required (it may have expired)"));
    }
}
