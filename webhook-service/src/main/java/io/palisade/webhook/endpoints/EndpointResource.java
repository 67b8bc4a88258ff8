package io.palisade.webhook.endpoints;

import java.net.URI;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.events.EventContracts;
import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.web.Page;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Owners and admins (WEBHOOKS_MANAGE) manage their tenant's webhook endpoints. */
@Path("/webhooks")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@PermissionsAllowed("WEBHOOKS_MANAGE")
public class EndpointResource {

    private final EndpointService endpoints;

    EndpointResource(EndpointService endpoints) {
        this.endpoints = endpoints;
    }

    @GET
    @Path("event-types")
    public Set<String> eventTypes() {
        return EventContracts.webhookTypes();
    }

    /** 201 with the signing secret: shown this once, stored sealed. A URL the SSRF guard refuses is a 422 saying why. */
    @POST
    @Path("endpoints")
    @Idempotent
    public Uni<Response> register(@Valid @NotNull EndpointRequests.Register request, @Context HttpServerRequest http) {
        return endpoints.register(request, http.remoteAddress().hostAddress())
                .map(created -> Response.created(URI.create("/webhooks/endpoints/" + created.endpoint().id())).entity(created).build());
    }

    @GET
    @Path("endpoints")
    public Uni<Page<EndpointRepository.Endpoint>> list(@QueryParam("cursor") String cursor,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return endpoints.list(cursor, limit);
    }

    @GET
    @Path("endpoints/{id}")
    public Uni<EndpointRepository.Endpoint> get(@PathParam("id") UUID id) {
        return endpoints.get(id);
    }

    @PATCH
    @Path("endpoints/{id}")
    public Uni<EndpointRepository.Endpoint> change(@PathParam("id") UUID id, @Valid @NotNull EndpointRequests.Change change,
            @Context HttpServerRequest http) {
        return endpoints.change(id, change, http.remoteAddress().hostAddress());
    }

    @DELETE
    @Path("endpoints/{id}")
    public Uni<Response> delete(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return endpoints.delete(id, http.remoteAddress().hostAddress()).map(done -> Response.noContent().build());
    }

    /** A new secret (shown once); the previous one keeps signing alongside it for the configured overlap. */
    @POST
    @Path("endpoints/{id}/secret/rotate")
    @Idempotent
    public Uni<EndpointService.WithSecret> rotateSecret(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return endpoints.rotateSecret(id, http.remoteAddress().hostAddress());
    }
}
