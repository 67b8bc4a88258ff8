package io.palisade.tenant.platform;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.tokens.SigningKeys;
import io.smallrye.mutiny.Uni;

/** Platform operations: no tenant data here, only the platform's own machinery. */
@Path("/platform")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class PlatformResource {

    @Inject
    SigningKeys signingKeys;

    /**
     * Stages a new signing key: published in the JWKS now, signing after the activation delay; the old key
     * keeps verifying until its last tokens expired.
     */
    @POST
    @Path("/signing-keys/rotate")
    public Uni<Map<String, String>> rotateSigningKey() {
        return signingKeys.rotate().map(kid -> Map.of("stagedKid", kid));
    }
}
