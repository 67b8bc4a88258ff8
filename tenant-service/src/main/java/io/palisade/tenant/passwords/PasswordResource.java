package io.palisade.tenant.passwords;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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

/** The signed-in user's own password. */
@Path("/account/password")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.OWNER, Roles.ADMIN, Roles.STAFF, Roles.PLATFORM_ADMIN })
public class PasswordResource {

    /** Bounded only against abuse here; the policy answers for the 12-128 character rule with a 422. */
    public record ChangePassword(@NotBlank @Size(max = 1024) String currentPassword, @NotNull @Size(max = 1024) String newPassword) {
    }

    private final PasswordService passwords;
    private final SignedInUser user;

    PasswordResource(PasswordService passwords, SignedInUser user) {
        this.passwords = passwords;
        this.user = user;
    }

    /** Verifies the current password every time, so it is deliberately not idempotent-replayed. */
    @POST
    public Uni<Response> change(@Valid @NotNull ChangePassword request, @Context HttpServerRequest http) {
        PasswordService.Caller caller = new PasswordService.Caller(user.scope(), user.role(), user.sessionId(),
                http.remoteAddress().hostAddress());
        return passwords.change(caller, request.currentPassword(), request.newPassword())
                .map(ignored -> Response.noContent().build());
    }
}
