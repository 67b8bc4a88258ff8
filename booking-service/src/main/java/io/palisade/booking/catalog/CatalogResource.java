package io.palisade.booking.catalog;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.idempotency.Idempotent;
import io.palisade.common.tenancy.Roles;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The caller's tenant's catalogue. Every member reads it; CATALOG_MANAGE changes it. */
@Path("/offerings")
@RolesAllowed({ Roles.OWNER, Roles.ADMIN, Roles.STAFF })
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    private final CatalogService catalog;

    CatalogResource(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GET
    public Uni<List<CatalogRepository.Offering>> offerings() {
        return catalog.offerings();
    }

    @POST
    @Idempotent
    @PermissionsAllowed("CATALOG_MANAGE")
    public Uni<Response> create(@Valid @NotNull CatalogRequests.NewOffering request, @Context HttpServerRequest http) {
        return catalog.create(request, http.remoteAddress().hostAddress()).map(o -> Response.created(URI.create("/offerings/" + o.id())).entity(o).build());
    }

    @PATCH
    @Path("{id}")
    @PermissionsAllowed("CATALOG_MANAGE")
    public Uni<CatalogRepository.Offering> change(@PathParam("id") UUID id, @Valid @NotNull CatalogRequests.ChangeOffering request,
            @Context HttpServerRequest http) {
        return catalog.change(id, request, http.remoteAddress().hostAddress());
    }

    @GET
    @Path("{id}/slots")
    public Uni<List<CatalogRepository.Slot>> slots(@PathParam("id") UUID id) {
        return catalog.slots(id);
    }

    @POST
    @Path("{id}/slots")
    @Idempotent
    @PermissionsAllowed("CATALOG_MANAGE")
    public Uni<Response> addSlot(@PathParam("id") UUID id, @Valid @NotNull CatalogRequests.NewSlot request, @Context HttpServerRequest http) {
        return catalog.addSlot(id, request, http.remoteAddress().hostAddress()).map(s -> Response.created(URI.create("/offerings/" + id + "/slots")).entity(s).build());
    }
}
