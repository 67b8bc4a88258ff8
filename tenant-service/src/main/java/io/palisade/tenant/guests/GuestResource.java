package io.palisade.tenant.guests;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Guests sign in by email link: nobody is signed in when these are called. */
@Path("/guest/sign-in")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GuestResource {

    public record LinkRequest(@NotBlank @Size(max = 40) String tenant, @NotBlank @Email @Size(max = 254) String email) {
    }

    public record Redeem(@NotBlank @Size(max = 200) String token) {
    }

    private final GuestSignIn signIn;

    GuestResource(GuestSignIn signIn) {
        this.signIn = signIn;
    }

    /** 202 whether or not the guest was known: the answer reveals nothing about who has booked. */
    @POST
    public Uni<Response> requestLink(@Valid @NotNull LinkRequest request, @Context HttpServerRequest http) {
        return signIn.requestLink(request.tenant(), request.email(), http.remoteAddress().hostAddress())
                .map(ignored -> Response.accepted().build());
    }

    @POST
    @Path("redeem")
    public Uni<GuestSignIn.GuestToken> redeem(@Valid @NotNull Redeem request, @Context HttpServerRequest http) {
        return signIn.redeem(request.token(), http.remoteAddress().hostAddress());
    }
}
