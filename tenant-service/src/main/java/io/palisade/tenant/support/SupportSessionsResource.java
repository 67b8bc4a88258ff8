package io.palisade.tenant.support;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Support access, the tenant's side: its owners and admins see every session and end a running one at once. */
@Path("/support-sessions")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.OWNER, Roles.ADMIN })
public class SupportSessionsResource {

    private final SupportAccess support;
    private final CurrentTenant currentTenant;

    SupportSessionsResource(SupportAccess support, CurrentTenant currentTenant) {
        this.support = support;
        this.currentTenant = currentTenant;
    }

    @GET
    public Uni<List<SupportSessionRepository.Session>> list() {
        return support.list(currentTenant.get());
    }

    @DELETE
    @Path("{id}")
    public Uni<SupportSessionRepository.Session> end(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return support.end(currentTenant.get(), id, http.remoteAddress().hostAddress());
    }
}
