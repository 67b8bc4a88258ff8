package io.palisade.audit.ledger;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.tenancy.Roles;
import io.palisade.common.web.Page;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The platform admins' cross-tenant feed for compliance review; every use is itself an audit event. */
@Path("/platform/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class PlatformFeedResource {

    private final LedgerService ledger;

    PlatformFeedResource(LedgerService ledger) {
        this.ledger = ledger;
    }

    @GET
    @Path("entries")
    public Uni<Page<LedgerRepository.Entry>> entries(@QueryParam("tenantId") UUID tenantId, @QueryParam("action") String action,
            @QueryParam("actorId") UUID actorId, @QueryParam("targetType") String targetType, @QueryParam("targetId") String targetId,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit, @Context HttpServerRequest http) {
        LedgerRepository.Filter filter = new LedgerRepository.Filter(tenantId, action, actorId, targetType, targetId, AuditResource.time(from),
                AuditResource.time(to));
        return ledger.platformFeed(filter, cursor, limit, http.remoteAddress().hostAddress());
    }
}
