package io.palisade.tenant.sso;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.Roles;
import io.palisade.tenant.accounts.TokenResponse;
import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.OidcSession;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** A tenant's SSO: its owners configure the IdP; its staff sign in through it. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SsoResource {

    public record Configure(@NotBlank @Size(max = 500) String issuer, @NotBlank @Size(max = 200) String clientId,
            @NotBlank @Size(max = 1000) String clientSecret) {
    }

    private final SsoProviders providers;
    private final SsoSignIn signIn;
    private final CurrentTenant currentTenant;
    private final OidcSession oidcSession;

    SsoResource(SsoProviders providers, SsoSignIn signIn, CurrentTenant currentTenant, OidcSession oidcSession) {
        this.providers = providers;
        this.signIn = signIn;
        this.currentTenant = currentTenant;
        this.oidcSession = oidcSession;
    }

    @Inject
    @IdToken
    JsonWebToken idToken;

    /**
     * The authorization code flow with the tenant's IdP (quarkus-oidc: redirect, callback, code exchange with
     * PKCE, nonce and state, ID token verified against the tenant's issuer and keys). Ends in Palisade tokens
     * for this tenant; the short OIDC session is dropped at once.
     */
    @GET
    @Path("sso/{slug}/login")
    @Authenticated
    public Uni<TokenResponse> login(@PathParam("slug") String slug, @Context HttpServerRequest http) {
        // An email links an account only when the IdP says it verified it: some IdPs let users edit it.
        boolean verified = idToken.getClaim("email_verified") instanceof Object v
                && (Boolean.TRUE.equals(v) || jakarta.json.JsonValue.TRUE.equals(v));
        Object email = idToken.getClaim("email");
        String address = email instanceof String text ? text : email instanceof jakarta.json.JsonString json ? json.getString() : null;
        return signIn.signIn(slug, idToken.getIssuer(), idToken.getSubject(), verified ? address : null, http.remoteAddress().hostAddress())
                .call(() -> oidcSession.logout());
    }

    @GET
    @Path("tenant/sso")
    @RolesAllowed({ Roles.OWNER, Roles.ADMIN })
    public Uni<SsoProviders.Settings> settings() {
        return providers.get(currentTenant.get());
    }

    @PUT
    @Path("tenant/sso")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OWNER)
    public Uni<SsoProviders.Settings> configure(@Valid @NotNull Configure request, @Context HttpServerRequest http) {
        return providers.put(currentTenant.get(), request.issuer(), request.clientId(), request.clientSecret(),
                http.remoteAddress().hostAddress());
    }

    @DELETE
    @Path("tenant/sso")
    @RolesAllowed(Roles.OWNER)
    public Uni<Response> remove(@Context HttpServerRequest http) {
        return providers.delete(currentTenant.get(), http.remoteAddress().hostAddress()).map(ignored -> Response.noContent().build());
    }
}
