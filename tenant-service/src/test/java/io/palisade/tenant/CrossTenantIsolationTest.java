package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.tenant.sso.FakeOidcProvider;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.devstack.testing.OpenApiOperations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tenant B, with valid tokens of its own, against every tenant-scoped endpoint and tenant A's objects: reads
 * answer 404 or leave A's rows out, writes answer 404 and change nothing. The endpoint list comes from the
 * OpenAPI document, so an endpoint added later without a probe here fails this test.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class CrossTenantIsolationTest {

    /** Endpoints without tenant context by design: they take credentials, not a tenant, or act on the platform. */
    private static final Set<String> NOT_TENANT_SCOPED = Set.of(
            "POST /signup", "POST /signup/complete", "POST /auth/confirm-email", "POST /auth/login", "POST /auth/unlock", "POST /auth/refresh", "POST /auth/logout", "POST /invitations/accept",
            "GET /.well-known/openid-configuration", "GET /.well-known/jwks.json", "POST /platform/signing-keys/rotate",
            "POST /auth/mfa", "POST /auth/mfa/enrolment", "POST /auth/mfa/enrolment/confirm",
            "POST /guest/sign-in", "POST /guest/sign-in/redeem", "GET /platform/overview", "POST /platform/support-sessions",
            "POST /platform/support-sessions/start", "POST /platform/support-sessions/{id}/token", "GET /sso/{slug}/login");

    /**
     * The caller's own account (password, authenticator): the user is the token's subject, never a parameter,
     * and row-level security keys these rows on app.user_id. MfaTest and PasswordChangeTest cover them.
     */
    private static final Set<String> OWN_ACCOUNT = Set.of("POST /account/password", "GET /account/mfa",
            "POST /account/mfa/totp", "POST /account/mfa/totp/confirm", "POST /account/mfa/totp/disable");

    static TestTenant a;
    static TestTenant b;
    static String aInvitation;
    /** A's identity provider's issuer (the provider answered discovery when A saved it, and is gone since). */
    static String aIssuer;
    static String aSupportSession;

    /** Once per class; in a @BeforeEach because Quarkus points RestAssured at the app only per test. */
    @BeforeEach
    void tenants() {
        if (a != null) {
            return;
        }
        a = Api.newTenant("MEMBERS_MANAGE");
        b = Api.newTenant("MEMBERS_MANAGE");
        aInvitation = bearer(a.ownerToken()).body(Map.of("email", "pending@" + a.slug() + ".example", "role", "staff"))
                .post("/invitations").then().statusCode(201).extract().path("id");
        try (FakeOidcProvider idp = new FakeOidcProvider("a", "a-secret")) {
            aIssuer = idp.issuer();
            bearer(a.ownerToken()).body(Map.of("issuer", aIssuer, "clientId", "a", "clientSecret", "a-secret"))
                    .put("/tenant/sso").then().statusCode(200);
        }
        bearer(a.ownerToken()).body(Map.of("value", "a-value")).put("/integrations/mailchimp/secrets/a_only_key").then().statusCode(200);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        String link = bearer(platform.token()).body(Map.of("tenant", a.slug(), "reason", "isolation test"))
                .post("/platform/support-sessions").then().statusCode(201).extract().path("link");
        aSupportSession = bearer(platform.token()).body(Map.of("link", link, "code", platform.authenticator().nextCode()))
                .post("/platform/support-sessions/start")
                .then().statusCode(200).extract().path("sessionId");
    }

    private final Map<String, Consumer<String>> probes = Map.ofEntries(
            Map.entry("GET /tenant", token -> bearer(token).get("/tenant").then().statusCode(200).body("id", equalTo(b.id().toString()))),
            Map.entry("PATCH /tenant", token -> {
                bearer(token).body(Map.of("name", "Renamed by B")).patch("/tenant").then().statusCode(200)
                        .body("id", equalTo(b.id().toString()));
                bearer(a.ownerToken()).get("/tenant").then().body("name", equalTo("Tenant " + a.slug()));
            }),
            Map.entry("PUT /tenant/mfa-requirement", token -> {
                bearer(token).body(Map.of("requireMfaForAdmins", true)).put("/tenant/mfa-requirement").then().statusCode(200)
                        .body("id", equalTo(b.id().toString()));
                bearer(a.ownerToken()).get("/tenant").then().body("requireMfaForAdmins", equalTo(false));
                bearer(token).body(Map.of("requireMfaForAdmins", false)).put("/tenant/mfa-requirement").then().statusCode(200);
            }),
            Map.entry("GET /support-sessions", token -> bearer(token).get("/support-sessions").then().statusCode(200)
                    .body("id", not(hasItem(aSupportSession)))),
            Map.entry("DELETE /support-sessions/{id}", token -> {
                bearer(token).delete("/support-sessions/" + aSupportSession).then().statusCode(404);
                bearer(a.ownerToken()).get("/support-sessions").then().body("find { it.id == '" + aSupportSession + "' }.endedAt",
                        org.hamcrest.Matchers.nullValue());
            }),
            Map.entry("GET /integrations/secrets", token -> bearer(token).get("/integrations/secrets").then().statusCode(200)
                    .body("name", not(hasItem("a_only_key")))),
            Map.entry("PUT /integrations/{provider}/secrets/{name}", token -> {
                bearer(token).body(Map.of("value", "b-value")).put("/integrations/mailchimp/secrets/a_only_key").then().statusCode(200);
                bearer(a.ownerToken()).get("/integrations/secrets").then().body("find { it.name == 'a_only_key' }.updatedBy",
                        equalTo(a.ownerId().toString()));
                bearer(token).delete("/integrations/mailchimp/secrets/a_only_key").then().statusCode(204);
            }),
            Map.entry("DELETE /integrations/{provider}/secrets/{name}", token -> {
                bearer(token).delete("/integrations/mailchimp/secrets/a_only_key").then().statusCode(404);
                bearer(a.ownerToken()).get("/integrations/secrets").then().body("name", hasItem("a_only_key"));
            }),
            Map.entry("GET /tenant/sso", token -> bearer(token).get("/tenant/sso").then().statusCode(404)),
            Map.entry("PUT /tenant/sso", token -> {
                try (FakeOidcProvider idp = new FakeOidcProvider("b", "b-secret")) {
                    bearer(token).body(Map.of("issuer", idp.issuer(), "clientId", "b", "clientSecret", "b-secret"))
                            .put("/tenant/sso").then().statusCode(200);
                }
                bearer(a.ownerToken()).get("/tenant/sso").then().statusCode(200).body("issuer", equalTo(aIssuer));
                bearer(token).delete("/tenant/sso").then().statusCode(204);
            }),
            Map.entry("DELETE /tenant/sso", token -> {
                bearer(token).delete("/tenant/sso").then().statusCode(404);
                bearer(a.ownerToken()).get("/tenant/sso").then().statusCode(200);
            }),
            Map.entry("GET /members", token -> bearer(token).get("/members").then().statusCode(200)
                    .body("items.userId", not(hasItem(a.ownerId().toString())))
                    .body("items.userId", not(hasItem(a.staffId().toString())))),
            Map.entry("GET /members/{userId}", token -> {
                bearer(token).get("/members/" + a.ownerId()).then().statusCode(404);
                bearer(token).get("/members/" + a.staffId()).then().statusCode(404);
            }),
            Map.entry("PATCH /members/{userId}", token -> {
                bearer(token).body(Map.of("status", "suspended")).patch("/members/" + a.staffId()).then().statusCode(404);
                bearer(a.ownerToken()).get("/members/" + a.staffId()).then().body("status", equalTo("active"));
            }),
            Map.entry("DELETE /members/{userId}", token -> {
                bearer(token).delete("/members/" + a.staffId()).then().statusCode(404);
                bearer(a.ownerToken()).get("/members/" + a.staffId()).then().body("status", equalTo("active"));
            }),
            Map.entry("POST /invitations", token -> {
                bearer(token).body(Map.of("email", "x@" + b.slug() + ".example", "role", "staff")).post("/invitations")
                        .then().statusCode(201);
                bearer(a.ownerToken()).get("/invitations").then().body("email", everyItem(org.hamcrest.Matchers.endsWith(a.slug() + ".example")));
            }),
            Map.entry("GET /invitations", token -> bearer(token).get("/invitations").then().statusCode(200)
                    .body("id", not(hasItem(aInvitation)))),
            Map.entry("GET /invitations/{id}", token -> bearer(token).get("/invitations/" + aInvitation).then().statusCode(404)),
            Map.entry("DELETE /invitations/{id}", token -> {
                bearer(token).delete("/invitations/" + aInvitation).then().statusCode(404);
                bearer(a.ownerToken()).get("/invitations/" + aInvitation).then().body("state", equalTo("pending"));
            }),
            Map.entry("GET /security/isolation-proof", token -> bearer(token).get("/security/isolation-proof").then().statusCode(200)
                    .body("tenantId", equalTo(b.id().toString()))
                    .body("tables.find { it.table == 'tenancy.memberships' }.tenantRows", equalTo(2))
                    .body("tables.find { it.table == 'tenancy.tenants' }.tenantRows", equalTo(1))
                    .body("tables.findAll { it.otherTenantsRowsVisible == true }", org.hamcrest.Matchers.empty())
                    .body("tables.findAll { it.totalRows != null }", org.hamcrest.Matchers.empty())));

    @Test
    void everyEndpointIsEitherProbedOrDeclaredTenantFree() {
        OpenApiOperations.Coverage coverage = OpenApiOperations.coverage("http://localhost:" + io.restassured.RestAssured.port, probes.keySet(),
                tenantFree());
        assertEquals(Set.of(), coverage.unprobed(), "endpoints without a cross-tenant probe (add a probe here, or declare them tenant-free with a reason)");
        assertEquals(Set.of(), coverage.stale(), "probes or exemptions for endpoints that no longer exist");
    }

    private static Set<String> tenantFree() {
        Set<String> free = new TreeSet<>(NOT_TENANT_SCOPED);
        free.addAll(OWN_ACCOUNT);
        return free;
    }

    @Test
    void tenantBSeesAndChangesNothingOfTenantA() {
        String ownerB = b.ownerToken();
        probes.forEach((operation, probe) -> probe.accept(ownerB));
    }

    @Test
    void staffOfBWithEveryGrantedBitStillCannotReachA() {
        String staffB = b.staffToken();
        bearer(staffB).get("/members/" + a.ownerId()).then().statusCode(404);
        bearer(staffB).body(Map.of("status", "suspended")).patch("/members/" + a.staffId()).then().statusCode(404);
        bearer(staffB).delete("/invitations/" + aInvitation).then().statusCode(404);
    }
}
