package io.palisade.tenant.support;

import java.net.URI;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.tokens.SignedInUser;
import io.palisade.tenant.mfa.AuthenticatorService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Support access, the platform admin's side: request a session to a tenant, start it with the link and a fresh
 * authenticator code, renew its token. Credentials are handed out here, so nothing is idempotent-replayed.
 */
@Path("/platform/support-sessions")
@RolesAllowed(Roles.PLATFORM_ADMIN)
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PlatformSupportResource {

    public record Request(@NotBlank @Size(max = 40) String tenant, @NotBlank @Size(max = 500) String reason) {
    }

    /** The link, and a fresh code from the admin's authenticator (step-up: a stolen platform token alone starts nothing). */
    public record Start(@NotBlank @Size(max = 200) String link, @NotBlank @Size(max = 16) String code) {
    }

    private final SupportAccess support;
    private final SignedInUser admin;
    private final AuthenticatorService authenticators;

    PlatformSupportResource(SupportAccess support, SignedInUser admin, AuthenticatorService authenticators) {
        this.support = support;
        this.admin = admin;
        this.authenticators = authenticators;
    }

    @POST
    public Uni<Response> request(@Valid @NotNull Request request, @Context HttpServerRequest http) {
        return support.request(admin.userId(), request.tenant(), request.reason(), http.remoteAddress().hostAddress())
                .map(requested -> Response.created(URI.create("/platform/support-sessions/" + requested.sessionId())).entity(requested).build());
    }

    @POST
    @Path("start")
    public Uni<SupportAccess.SupportToken> start(@Valid @NotNull Start request, @Context HttpServerRequest http) {
        String clientIp = http.remoteAddress().hostAddress();
        return authenticators.stepUp(admin, request.code(), clientIp).chain(() -> support.start(admin.userId(), request.link(), clientIp));
    }

    @POST
    @Path("{id}/token")
    public Uni<SupportAccess.SupportToken> renew(@PathParam("id") UUID id, @Context HttpServerRequest http) {
        return support.renew(admin.userId(), id, http.remoteAddress().hostAddress());
    }
}
