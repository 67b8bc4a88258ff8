package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Problem+json for every error, security headers on every response. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class HttpConventionsTest {

    @Test
    void errorsAreProblemJsonWithClearMessages() {
        TestTenant t = Api.newTenant(null);
        problem(json().body(Map.of("tenantName", "X", "tenantSlug", "NO SPACES", "email", "not-an-email", "displayName", "X",
                "password", "short")).post("/signup"), 400)
                .body("errors.field", hasItem("tenantSlug")).body("errors.field", hasItem("email"))
                .body(not(org.hamcrest.Matchers.containsString("short\"")));
        problem(json().body("{\"email\": ").post("/auth/login"), 400);
        problem(json().body(Map.of("tenantName", "Again", "tenantSlug", t.slug(), "email", "other-" + t.ownerEmail(),
                "displayName", "X", "password", Api.PASSWORD)).post("/signup"), 409);
        problem(bearer(t.ownerToken()).get("/members/not-a-uuid"), 404);
        problem(bearer(t.ownerToken()).get("/members/" + java.util.UUID.randomUUID()), 404);
        problem(bearer(t.ownerToken()).get("/members?cursor=garbage"), 400);
        problem(bearer(t.ownerToken()).body(Map.of("role", "emperor")).patch("/members/" + t.staffId()), 400);
        problem(given().get("/no/such/route"), 404);
    }

    @Test
    void signupIsAllOrNothing() {
        TestTenant t = Api.newTenant(null);
        // Taken slug, fresh email: the user must not be created either.
        String email = "fresh-" + t.slug() + "@example.com";
        json().body(Map.of("tenantName", "Dup", "tenantSlug", t.slug(), "email", email, "displayName", "X",
                "password", Api.PASSWORD)).post("/signup").then().statusCode(409);
        json().body(Map.of("email", email, "password", Api.PASSWORD)).post("/auth/login").then().statusCode(401);
    }

    @Test
    void securityHeadersOnEveryResponse() {
        headers(given().get("/q/openapi").then().statusCode(200));
        headers(given().get("/members").then().statusCode(401));
        headers(given().get("/.well-known/jwks.json").then().statusCode(200));
        headers(given().get("/no/such/route").then().statusCode(404));
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status) {
        return headers(response.then().statusCode(status).header("Content-Type", startsWith("application/problem+json"))
                .body("status", equalTo(status)).body("title", org.hamcrest.Matchers.notNullValue()));
    }

    private static ValidatableResponse headers(ValidatableResponse response) {
        return response.header("Strict-Transport-Security", startsWith("max-age="))
                .header("Content-Security-Policy", equalTo("default-src 'none'; frame-ancestors 'none'"))
                .header("X-Frame-Options", equalTo("DENY"))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("no-referrer"))
                .header("Permissions-Policy", org.hamcrest.Matchers.containsString("camera=()"));
    }
}
