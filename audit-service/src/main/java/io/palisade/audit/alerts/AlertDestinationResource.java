package io.palisade.audit.alerts;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.web.ProblemException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Owners and admins (SETTINGS_MANAGE) choose where their tenant's security alerts are mailed. */
@Path("/audit/alert-destination")
@Produces(MediaType.APPLICATION_JSON)
@PermissionsAllowed("SETTINGS_MANAGE")
public class AlertDestinationResource {

    public record DestinationRequest(@NotBlank @Email @Size(max = 254) String email) {
    }

    private final AlertDestinations destinations;

    AlertDestinationResource(AlertDestinations destinations) {
        this.destinations = destinations;
    }

    @GET
    public Uni<AlertRepository.Destination> get() {
        return destinations.get().map(found -> found.orElseThrow(() -> ProblemException.notFound("no alert destination is set")));
    }

    @PUT
    public Uni<AlertRepository.Destination> set(@Valid @NotNull DestinationRequest request, @Context HttpServerRequest http) {
        return destinations.set(request.email(), http.remoteAddress().hostAddress());
    }

    @DELETE
    public Uni<Response> remove(@Context HttpServerRequest http) {
        return destinations.remove(http.remoteAddress().hostAddress())
                .map(removed -> {
                    if (!removed) {
                        throw ProblemException.notFound("no alert destination is set");
                    }
                    return Response.noContent().build();
                });
    }
}
