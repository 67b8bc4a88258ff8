package io.palisade.tenant.mfa;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.tokens.SignedInUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * The signed-in user's authenticator: enrol (secret, otpauth URI, QR code as SVG), confirm with a first code
 * (recovery codes, shown once), disable with a fresh code. Codes are checked every time, so these endpoints
 * are deliberately not idempotent-replayed.
 */
@Path("/account/mfa")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.OWNER, Roles.ADMIN, Roles.STAFF, Roles.PLATFORM_ADMIN })
public class MfaResource {

    public record Code(@NotBlank @Size(max = 16) String code) {
    }

    private final AuthenticatorService authenticators;
    private final SignedInUser user;

    MfaResource(AuthenticatorService authenticators, SignedInUser user) {
        this.authenticators = authenticators;
        this.user = user;
    }

    @GET
    public Uni<AuthenticatorService.Status> status() {
        return authenticators.status(user);
    }

    @POST
    @Path("totp")
    public Uni<MfaService.Enrolment> enrol() {
        return authenticators.start(user);
    }

    @POST
    @Path("totp/confirm")
    public Uni<Map<String, List<String>>> confirm(@Valid @NotNull Code request, @Context HttpServerRequest http) {
        return authenticators.confirm(user, request.code(), http.remoteAddress().hostAddress())
                .map(codes -> Map.of("recoveryCodes", codes));
    }

    @POST
    @Path("totp/disable")
    public Uni<Response> disable(@Valid @NotNull Code request, @Context HttpServerRequest http) {
        return authenticators.disable(user, request.code(), http.remoteAddress().hostAddress())
                .map(ignored -> Response.noContent().build());
    }
}
