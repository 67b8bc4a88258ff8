package io.palisade.booking.guests;

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

import io.palisade.common.guests.GuestTokens;
import io.palisade.common.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * A guest's own booking, reached with the manage token from the hold (header {@code X-Guest-Token}, never a URL:
 * no booking id or reference appears in a guest URL).
 */
@Path("/guest/booking")
@Produces(MediaType.APPLICATION_JSON)
public class GuestBookingResource {

    public static final String TOKEN_HEADER = "X-Guest-Token";

    /** The token from the link mailed to the email given with a hold. */
    public record ConfirmEmail(@NotBlank @Size(max = 200) String token) {
    }

    private final GuestTokens tokens;
    private final EmailProofService proofs;
    private final GuestBookingService guestBookings;

    GuestBookingResource(GuestTokens tokens, EmailProofService proofs, GuestBookingService guestBookings) {
        this.tokens = tokens;
        this.proofs = proofs;
        this.guestBookings = guestBookings;
    }

    @GET
    public Uni<GuestBookingService.GuestBooking> view(@HeaderParam(TOKEN_HEADER) String token) {
        return guestBookings.view(manage(token));
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
    public Uni<GuestBookingService.GuestBooking> cancel(@HeaderParam(TOKEN_HEADER) String token, @Context HttpServerRequest http) {
        return guestBookings.cancel(manage(token), http.remoteAddress().hostAddress());
    }

    private GuestTokens.Claims manage(String token) {
        return tokens.verify(GuestTokens.Domain.MANAGE, token)
                .orElseThrow(() -> ProblemException.unauthorized("a valid guest link is required (it may have expired)"));
    }
}
