package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Login, tenant choice, refresh rotation with reuse detection, logout, discovery and key rotation. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SessionTokensTest {

    @Test
    void accessTokenCarriesTheDesignedClaimsAndIsShortLived() {
        TestTenant t = Api.newTenant("BOOKINGS_READ");
        Response login = Api.loginResponse(t.staffEmail(), t.slug());
        login.then().statusCode(200).body("expiresIn", lessThanOrEqualTo(900)).body("refreshToken", notNullValue());
        String[] parts = login.path("accessToken").toString().split("\\.");
        JsonPath header = new JsonPath(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        JsonPath claims = new JsonPath(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        assertEquals("RS256", header.getString("alg"));
        assertNotEquals(null, header.getString("kid"));
        assertEquals(t.id().toString(), claims.getString("tid"));
        assertEquals(t.staffId().toString(), claims.getString("sub"));
        assertEquals("palisade", claims.getString("aud"));
        assertEquals(1L, claims.getLong("perm"), "BOOKINGS_READ only");
        assertNotEquals(null, claims.getString("jti"));
        assertEquals(true, claims.getLong("exp") - claims.getLong("iat") <= 900);
    }

    @Test
    void wrongPasswordAndUnknownEmailAnswerAlike() {
        TestTenant t = Api.newTenant(null);
        Response wrong = json().body(Map.of("email", t.ownerEmail(), "password", "Not-The-Passw0rd!")).post("/auth/login");
        Response unknown = json().body(Map.of("email", "nobody@nowhere.example", "password", "Not-The-Passw0rd!")).post("/auth/login");
        wrong.then().statusCode(401);
        unknown.then().statusCode(401);
        assertEquals(wrong.body().asString(), unknown.body().asString());
    }

    @Test
    void aUserOfSeveralTenantsChoosesOneAndTheTokenCarriesExactlyIt() {
        TestTenant first = Api.newTenant(null);
        TestTenant second = Api.newTenant(null);
        // The owner of the first tenant is invited to the second.
        String accept = bearer(second.ownerToken()).body(Map.of("email", first.ownerEmail(), "role", "staff")).post("/invitations")
                .then().statusCode(201).extract().path("acceptToken");
        json().body(Map.of("token", accept, "password", Api.PASSWORD)).post("/invitations/accept").then().statusCode(200)
                .body("userId", equalTo(first.ownerId().toString()));
        Api.loginResponse(first.ownerEmail(), null).then().statusCode(422)
                .body("tenants", containsInAnyOrder(first.slug(), second.slug()));
        Api.loginResponse(first.ownerEmail(), second.slug()).then().statusCode(200).body("tenantId", equalTo(second.id().toString()));
        bearer(Api.login(first.ownerEmail(), second.slug())).get("/tenant").then().body("id", equalTo(second.id().toString()));
    }

    @Test
    void invitationAcceptedOnceOnlyAndOnlyByTheInvitedEmailsOwner() {
        TestTenant t = Api.newTenant(null);
        String accept = bearer(t.ownerToken()).body(Map.of("email", "newcomer@" + t.slug() + ".example", "role", "staff"))
                .post("/invitations").then().statusCode(201).extract().path("acceptToken");
        json().body(Map.of("token", accept, "displayName", "Newcomer", "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(200);
        json().body(Map.of("token", accept, "displayName", "Again", "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(404);
        json().body(Map.of("token", "made-up", "displayName", "X", "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(404);
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeFamily() {
        TestTenant t = Api.newTenant(null);
        String first = Api.loginResponse(t.ownerEmail(), t.slug()).path("refreshToken");
        Response rotated = json().body(Map.of("refreshToken", first)).post("/auth/refresh");
        rotated.then().statusCode(200).body("tenantId", equalTo(t.id().toString()));
        String second = rotated.path("refreshToken");
        assertNotEquals(first, second);
        bearer(rotated.path("accessToken")).get("/tenant").then().statusCode(200);

        json().body(Map.of("refreshToken", first)).post("/auth/refresh").then().statusCode(401);
        // The reuse revoked the family: the legitimately rotated token is dead too.
        json().body(Map.of("refreshToken", second)).post("/auth/refresh").then().statusCode(401);
    }

    @Test
    void logoutRevokesAndSuspensionEndsRefreshing() {
        TestTenant t = Api.newTenant(null);
        String token = Api.loginResponse(t.ownerEmail(), t.slug()).path("refreshToken");
        json().body(Map.of("refreshToken", token)).post("/auth/logout").then().statusCode(204);
        json().body(Map.of("refreshToken", token)).post("/auth/refresh").then().statusCode(401);

        String staffRefresh = Api.loginResponse(t.staffEmail(), t.slug()).path("refreshToken");
        bearer(t.ownerToken()).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        json().body(Map.of("refreshToken", staffRefresh)).post("/auth/refresh").then().statusCode(401);

        // A suspended member's logout still ends the session: reinstated, the old token stays dead.
        String ownerRefresh = Api.loginResponse(t.ownerEmail(), t.slug()).path("refreshToken");
        bearer(t.ownerToken()).body(Map.of("status", "active")).patch("/members/" + t.staffId()).then().statusCode(200);
        String staffSecond = Api.loginResponse(t.staffEmail(), t.slug()).path("refreshToken");
        bearer(t.ownerToken()).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        json().body(Map.of("refreshToken", staffSecond)).post("/auth/logout").then().statusCode(204);
        bearer(t.ownerToken()).body(Map.of("status", "active")).patch("/members/" + t.staffId()).then().statusCode(200);
        json().body(Map.of("refreshToken", staffSecond)).post("/auth/refresh").then().statusCode(401);
        json().body(Map.of("refreshToken", ownerRefresh)).post("/auth/refresh").then().statusCode(200);
    }

    @Test
    void discoveryAndJwksPublishTheSigningKey() {
        json().get("/.well-known/openid-configuration").then().statusCode(200)
                .body("jwks_uri", equalTo("http://localhost:8081/.well-known/jwks.json"));
        json().get("/.well-known/jwks.json").then().statusCode(200).body("keys[0].kty", equalTo("RSA"))
                .body("keys[0].alg", equalTo("RS256")).body("keys[0].d", equalTo(null));
    }
}
