package io.palisade.booking.guests;

import java.time.OffsetDateTime;

import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import static io.palisade.common.db.Rows.first;

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A guest's own booking, reached with the manage token from the hold (header {@code X-Guest-Token}, never a URL:
 * no booking id or reference appears in a guest URL).
 */
@Path("/guest/booking")
@Produces(MediaType.APPLICATION_JSON)
public class GuestBookingResource {

    public static final String TOKEN_HEADER = "X-Guest-Token";

    public record GuestBooking(String reference, String status, int seats, long amountMinor, String currency, OffsetDateTime holdExpiresAt,
            OffsetDateTime startsAt, OffsetDateTime endsAt, String offering, String guestName) {
    }

    /** The token from the link mailed to the email given with a hold. */
    public record ConfirmEmail(@NotBlank @Size(max = 200) String token) {
    }

    @Inject
    GuestTokens tokens;

    @Inject
    EmailProofService proofs;

    @Inject
    TenantTransactions tx;

    @GET
    public Uni<GuestBooking> view(@HeaderParam(TOKEN_HEADER) String token) {
        GuestTokens.Claims claims = manage(token);
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select * from booking.guest_booking($1, $2)")
                .execute(Tuple.of(claims.tenantId(), claims.bookingRef()))
                .map(rows -> first(rows).map(r -> new GuestBooking(r.getString("public_ref"), r.getString("status"), r.getInteger("seats"),
                        r.getLong("amount_minor"), r.getString("currency"), r.getOffsetDateTime("hold_expires_at"),
                        r.getOffsetDateTime("starts_at"), r.getOffsetDateTime("ends_at"), r.getString("offering_name"),
                        r.getString("guest_name"))).orElseThrow(() -> ProblemException.notFound("the booking"))));
    }

    /**
     * Proves the email given with a hold (the link mailed to it): a free booking is confirmed, and the booking is
     * added to the guest the tenant knows under that email. 404 for a link used, expired or unknown.
     */
    @POST
    @Path("confirm-email")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<EmailProofService.Proven> confirmEmail(@Valid @NotNull ConfirmEmail request, @Context HttpServerRequest http) {
        return proofs.prove(request.token(), http.remoteAddress().hostAddress());
    }

    /** Cancels the booking before it starts; 409 when it can no longer be cancelled. */
    @POST
    @Path("cancel")
    public Uni<GuestBooking> cancel(@HeaderParam(TOKEN_HEADER) String token) {
        GuestTokens.Claims claims = manage(token);
        return tx.inScope(DbScope.anonymous(), c -> c.preparedQuery("select booking.guest_cancel($1, $2) as outcome")
                .execute(Tuple.of(claims.tenantId(), claims.bookingRef()))
                .map(rows -> rows.iterator().next().getString("outcome")))
                .chain(outcome -> switch (outcome) {
                    case "cancelled" -> view(token);
                    case "not_found" -> throw ProblemException.notFound("the booking");
                    default -> throw ProblemException.conflict("this booking can no longer be cancelled");
                });
    }

    private GuestTokens.Claims manage(String token) {
        return tokens.verify(GuestTokens.Domain.MANAGE, token)
                .orElseThrow(() -> ProblemException.unauthorized("a valid guest link is required (it may have expired)"));
    }
}
