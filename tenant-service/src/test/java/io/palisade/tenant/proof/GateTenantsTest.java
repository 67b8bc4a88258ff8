package io.palisade.tenant.proof;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The isolation gate's two tenants, kept by the migration run of this test process (palisade.isolation-gate.password
 * of the test profile): their owners sign in to their own tenant only, and nobody can sign up their slugs first.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class GateTenantsTest {

    private static final String PASSWORD = "Test-Gate-Passw0rd!";

    @Test
    void eachGateOwnerSignsInToItsOwnTenantOnly() {
        for (String slug : GateTenants.SLUGS) {
            String email = "owner@" + slug + ".invalid";
            String token = json().body(Map.of("email", email, "password", PASSWORD, "tenant", slug)).post("/auth/login")
                    .then().statusCode(200).extract().path("accessToken");
            bearer(token).get("/tenant").then().statusCode(200).body("slug", equalTo(slug));
            bearer(token).get("/members").then().statusCode(200).body("items.size()", equalTo(1));
            String other = GateTenants.SLUGS.stream().filter(s -> !s.equals(slug)).findFirst().orElseThrow();
            json().body(Map.of("email", email, "password", PASSWORD, "tenant", other)).post("/auth/login").then().statusCode(422);
        }
    }

    @Test
    void theGateSlugsAreNotForSignup() {
        for (String slug : GateTenants.SLUGS) {
            json().body(Map.of("tenantName", "Squatter", "tenantSlug", slug, "email", "squatter@" + slug + ".example", "displayName", "S",
                    "password", "Squatter-Passw0rd!")).post("/signup").then().statusCode(409).contentType("application/problem+json");
        }
    }
}
