package io.palisade.booking.waivers;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.booking.guests.GuestBookingResource;
import io.palisade.common.tenancy.Roles;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * The tenant's waiver: staff publish versions; a guest reads the current one and signs it with the waiver token
 * from their hold (header X-Guest-Token; a payment or manage token is refused here).
 */
@Path("/")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class WaiverResource {

    public record NewVersion(@NotBlank @Size(max = 20000) String text) {
    }

    public record Signature(@NotNull Integer version, @NotBlank @Size(max = 200) String signerName) {
    }

    private final WaiverService waivers;

    WaiverResource(WaiverService waivers) {
        this.waivers = waivers;
    }

    @GET
    @Path("waiver")
    @RolesAllowed({ Roles.OWNER, Roles.ADMIN, Roles.STAFF })
    public Uni<WaiverRepository.Waiver> current() {
        return waivers.current();
    }

    /** Publishes a new version; bookings signed before keep the version they signed. */
    @PUT
    @Path("waiver")
    @PermissionsAllowed("CATALOG_MANAGE")
    public Uni<WaiverRepository.Waiver> publish(@Valid @NotNull NewVersion request, @Context HttpServerRequest http) {
        return waivers.publish(request.text(), http.remoteAddress().hostAddress());
    }

    @GET
    @Path("guest/waiver")
    public Uni<WaiverRepository.GuestWaiver> forGuest(@HeaderParam(GuestBookingResource.TOKEN_HEADER) String token) {
        return waivers.forGuest(token);
    }

    @POST
    @Path("guest/waiver/sign")
    public Uni<WaiverRepository.GuestWaiver> sign(@HeaderParam(GuestBookingResource.TOKEN_HEADER) String token, @Valid @NotNull Signature request) {
        return waivers.sign(token, request.version(), request.signerName());
    }
}
