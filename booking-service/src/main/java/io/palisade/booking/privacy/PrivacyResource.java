package io.palisade.booking.privacy;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/** Guests' data for the tenant's owners and admins: find, export, erase. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.OWNER, Roles.ADMIN })
public class PrivacyResource {

    private final PrivacyService privacy;

    PrivacyResource(PrivacyService privacy) {
        this.privacy = privacy;
    }

    @GET
    @Path("guests")
    public Uni<List<PrivacyRepository.GuestSummary>> find(@QueryParam("email") @NotBlank @Email String email) {
        return privacy.findByEmail(email);
    }

    @GET
    @Path("guests/{id}/export")
    public Uni<JsonObject> export(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return privacy.export(id, http.remoteAddress().hostAddress());
    }

    @POST
    @Path("guests/{id}/erasure-requests")
    @Idempotent
    public Uni<Response> erase(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return privacy.requestErasure(id, http.remoteAddress().hostAddress())
                .map(request -> Response.created(URI.create("/erasure-requests")).entity(request).build());
    }

    @GET
    @Path("erasure-requests")
    public Uni<List<PrivacyRepository.ErasureRequest>> requests() {
        return privacy.erasureRequests();
    }
}
