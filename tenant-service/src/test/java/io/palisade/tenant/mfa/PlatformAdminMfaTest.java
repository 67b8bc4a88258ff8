package io.palisade.tenant.mfa;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.tenancy.Roles;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.palisade.tenant.tokens.AccessTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * A platform admin can open support sessions into every tenant, read the cross-tenant feed and rotate signing
 * keys: a password alone never gives that power, and a support session starts only with a fresh code.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PlatformAdminMfaTest {

    @Inject
    AccessTokens accessTokens;

    private static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void theFirstPlatformAdminMustEnrolAnAuthenticatorBeforeAnyToken() {
        Response password = json().body(Map.of("email", "platform@palisade.test", "password", "Test-Platform-Passw0rd!",
                "tenant", "platform")).post("/auth/login");
        password.then().statusCode(200).body("accessToken", nullValue()).body("mfaStep", equalTo("enrol"));
        // The challenge is for enrolment only: no code can turn it into a token.
        json().body(Map.of("mfaToken", password.path("mfaToken"), "code", "123456")).post("/auth/mfa").then().statusCode(401);
    }

    @Test
    void aPlatformAdminSignsInWithBothFactorsEveryTime() {
        Api.PlatformAdmin admin = Api.newPlatformAdmin();
        assertEquals(java.util.List.of("pwd", "otp"), claims(admin.token()).getJsonArray("amr").getList());
        bearer(admin.token()).get("/platform/overview").then().statusCode(200);

        Api.PlatformAdmin again = Api.platformSignIn(admin.email(), Api.PASSWORD, admin.authenticator());
        assertEquals(java.util.List.of("pwd", "otp"), claims(again.token()).getJsonArray("amr").getList());
        // The same code never signs in twice.
        String mfaToken = json().body(Map.of("email", admin.email(), "password", Api.PASSWORD, "tenant", "platform")).post("/auth/login")
                .then().statusCode(200).body("mfaStep", equalTo("verify")).extract().path("mfaToken");
        json().body(Map.of("mfaToken", mfaToken, "code", admin.authenticator().lastCode())).post("/auth/mfa").then().statusCode(401);
    }

    @Test
    void aPlatformTokenIssuedAfterAPasswordAloneHoldsNoPlatformPower() {
        Api.PlatformAdmin admin = Api.newPlatformAdmin();
        // Signed with the service's own key, as a password-only sign-in would have issued it.
        String passwordOnly = accessTokens.forPlatform(admin.userId(), Roles.PLATFORM_ADMIN, "pwd");
        bearer(passwordOnly).get("/platform/overview").then().statusCode(403);
        bearer(passwordOnly).post("/platform/signing-keys/rotate").then().statusCode(403);
        bearer(passwordOnly).body(Map.of("tenant", Api.newTenant(null).slug(), "reason", "ticket 1"))
                .post("/platform/support-sessions").then().statusCode(403);
        bearer(accessTokens.forPlatform(admin.userId(), Roles.PLATFORM_ADMIN, "pwd otp")).get("/platform/overview").then().statusCode(200);
    }

    @Test
    void aSupportSessionStartsOnlyWithAFreshAuthenticatorCode() {
        Api.PlatformAdmin admin = Api.newPlatformAdmin();
        Api.TestTenant tenant = Api.newTenant(null);
        String link = bearer(admin.token()).body(Map.of("tenant", tenant.slug(), "reason", "ticket 4712"))
                .post("/platform/support-sessions").then().statusCode(201).extract().path("link");

        bearer(admin.token()).body(Map.of("link", link)).post("/platform/support-sessions/start")
                .then().statusCode(400).contentType(startsWith("application/problem+json"));
        // The code the sign-in just used is spent; a wrong one is a failed second factor, audited, and the link survives both.
        bearer(admin.token()).body(Map.of("link", link, "code", admin.authenticator().lastCode())).post("/platform/support-sessions/start")
                .then().statusCode(422).contentType(startsWith("application/problem+json"));
        assertEquals(1, PalisadeTestStack.get().count("select count(*) from tenancy.outbox where stream = 'audit' and type = 'auth.login_failed'"
                + " and data->'target'->>'id' = ? and data->'details'->>'reason' = 'bad_second_factor'", admin.userId().toString()));

        Response started = bearer(admin.token()).body(Map.of("link", link, "code", admin.authenticator().nextCode()))
                .post("/platform/support-sessions/start");
        started.then().statusCode(200).body("tenantId", equalTo(tenant.id().toString()));
        bearer(started.path("accessToken")).get("/tenant").then().statusCode(200);
        bearer(tenant.ownerToken()).get("/support-sessions").then().statusCode(200).body("id", hasItems((String) started.path("sessionId")));
    }
}
