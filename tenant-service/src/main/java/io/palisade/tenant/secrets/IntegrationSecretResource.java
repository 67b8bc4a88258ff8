package io.palisade.tenant.secrets;

import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
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

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.web.ProblemException;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The tenant's integration credentials: set, list (never the values), delete. */
@Path("/integrations")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@PermissionsAllowed("SETTINGS_MANAGE")
public class IntegrationSecretResource {

    public record SecretValue(@NotBlank @Size(max = 8192) String value) {
    }

    private final IntegrationSecrets secrets;
    private final CurrentTenant currentTenant;

    @ConfigProperty(name = "palisade.integrations.providers")
    Set<String> providers;

    IntegrationSecretResource(IntegrationSecrets secrets, CurrentTenant currentTenant) {
        this.secrets = secrets;
        this.currentTenant = currentTenant;
    }

    @GET
    @Path("secrets")
    public Uni<List<SecretRepository.SecretStatus>> list() {
        return secrets.list(currentTenant.get());
    }

    /** Sets or replaces a credential. The answer says that it is set, never what it is. */
    @PUT
    @Path("{provider}/secrets/{name}")
    public Uni<SecretRepository.SecretStatus> put(@PathParam("provider") String provider,
            @PathParam("name") @Pattern(regexp = "^[a-z][a-z0-9_]{0,63}$", message = "lower-case letters, digits and _") String name,
            @Valid @NotNull SecretValue request, @Context HttpServerRequest http) {
        return secrets.put(currentTenant.get(), known(provider), name, request.value(), http.remoteAddress().hostAddress());
    }

    @DELETE
    @Path("{provider}/secrets/{name}")
    public Uni<Response> delete(@PathParam("provider") String provider, @PathParam("name") String name,
            @Context HttpServerRequest http) {
        return secrets.delete(currentTenant.get(), known(provider), name, http.remoteAddress().hostAddress())
                .map(ignored -> Response.noContent().build());
    }

    private String known(String provider) {
        if (!providers.contains(provider)) {
            throw ProblemException.notFound("the integration '" + provider + "'");
        }
        return provider;
    }
}
