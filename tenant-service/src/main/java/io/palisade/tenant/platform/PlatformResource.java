package io.palisade.tenant.platform;

import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.tokens.SigningKeys;
import io.smallrye.mutiny.Uni;

/** Platform operations: no tenant data here, only the platform's own machinery. */
@Path("/platform")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class PlatformResource {

    private final SigningKeys signingKeys;
    private final PlatformService platform;
    private final JsonWebToken token;

    PlatformResource(SigningKeys signingKeys, PlatformService platform, JsonWebToken token) {
        this.signingKeys = signingKeys;
        this.platform = platform;
        this.token = token;
    }

    /** Counts only: without a support session, a platform admin sees no tenant's rows. */
    @GET
    @Path("/overview")
    public Uni<PlatformRepository.Overview> overview() {
        return platform.overview(UUID.fromString(token.getSubject()));
    }

    /**
     * Stages a new signing key: published in the JWKS now, signing after the activation delay; the old key
     * keeps verifying until its last tokens expired.
     */
    @POST
    @Path("/signing-keys/rotate")
    public Uni<Map<String, String>> rotateSigningKey(@jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        return signingKeys.rotate(UUID.fromString(token.getSubject()), http.remoteAddress().hostAddress()).map(kid -> Map.of("stagedKid", kid));
    }
}
