package io.palisade.tenant.tokens;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** OIDC discovery and JWKS: other services verify tokens with standard Quarkus configuration. */
@Path("/.well-known")
@Produces(MediaType.APPLICATION_JSON)
public class WellKnownResource {

    private final SigningKeys keys;

    @ConfigProperty(name = "palisade.issuer")
    String issuer;

    WellKnownResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Path("/openid-configuration")
    public JsonObject discovery() {
        return new JsonObject()
                .put("issuer", issuer)
                .put("jwks_uri", issuer + "/.well-known/jwks.json")
                .put("token_endpoint", issuer + "/auth/login")
                .put("response_types_supported", new JsonArray().add("token"))
                .put("subject_types_supported", new JsonArray().add("public"))
                .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
                .put("claims_supported", new JsonArray().add("iss").add("aud").add("sub").add("tid").add("roles").add("perm").add("jti"));
    }

    @GET
    @Path("/jwks.json")
    public JsonObject jwks() {
        return keys.jwks();
    }
}
