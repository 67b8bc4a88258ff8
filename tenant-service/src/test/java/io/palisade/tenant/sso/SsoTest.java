package io.palisade.tenant.sso;

import static io.palisade.tenant.Api.bearer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonObject;

/** Each tenant's own OIDC provider signs its staff in to that tenant only; nothing of it works anywhere else. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SsoTest {

    /** A's owner at A's IdP: linked on the first sign-in, whichever test comes first. */
    static final String A_OWNER_SUBJECT = "a-owner-subject";
    static FakeOidcProvider idpA;
    static FakeOidcProvider idpB;
    static Api.TestTenant a;
    static Api.TestTenant b;

    /** Once per class; in a @BeforeEach because Quarkus points RestAssured at the app only per test. */
    @BeforeEach
    void tenantsWithTheirProviders() {
        if (a != null) {
            return;
        }
        idpA = new FakeOidcProvider("palisade-a", "secret-of-a-0123456789abcdef");
        // B's provider is known by a name (looked up and pinned by the egress guard), A's by its address.
        idpB = new FakeOidcProvider("palisade-b", "secret-of-b-0123456789abcdef", "localhost");
        a = Api.newTenant(null);
        b = Api.newTenant(null);
        configure(a, idpA);
        configure(b, idpB);
    }

    @AfterAll
    static void stopProviders() {
        idpA.close();
        idpB.close();
    }

    private static void configure(Api.TestTenant tenant, FakeOidcProvider idp) {
        bearer(tenant.ownerToken()).body(Map.of("issuer", idp.issuer(), "clientId", idp.clientId, "clientSecret", idp.clientSecret))
                .put("/tenant/sso").then().statusCode(200).body("clientSecretSet", equalTo(true))
                .body(not(containsString(idp.clientSecret)));
    }

    private Map<String, String> lastCookies;

    /** The browser's part of the code flow: our redirect to the IdP, its redirect back, our final answer. */
    private Response signIn(String slug, FakeOidcProvider idp) {
        Map<String, String> cookies = new HashMap<>();
        Response toIdp = given().redirects().follow(false).get("/sso/" + slug + "/login");
        assertEquals(302, toIdp.statusCode());
        assertTrue(toIdp.header("Location").startsWith(idp.issuer() + "/authorize?"), toIdp.header("Location"));
        cookies.putAll(toIdp.cookies());
        Response back = given().redirects().follow(false).urlEncodingEnabled(false).get(toIdp.header("Location"));
        assertEquals(302, back.statusCode());
        Response callback = given().redirects().follow(false).urlEncodingEnabled(false).cookies(cookies).get(back.header("Location"));
        lastCookies = cookies;
        if (callback.statusCode() != 302) {
            return callback;
        }
        cookies.putAll(callback.cookies());
        return given().redirects().follow(false).cookies(cookies).get(callback.header("Location"));
    }

    private static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void staffSignInThroughTheirTenantsProviderAndGetTokensForThatTenant() {
        idpA.subject = "a-staff-subject";
        idpA.email = a.staffEmail();
        Response signedIn = signIn(a.slug(), idpA);
        signedIn.then().statusCode(200);
        String access = signedIn.path("accessToken");
        assertEquals(a.id().toString(), claims(access).getString("tid"));
        assertEquals(a.staffId().toString(), claims(access).getString("sub"));
        bearer(access).get("/tenant").then().statusCode(200).body("id", equalTo(a.id().toString()));
        // Linked by subject from now on, whatever email the IdP sends later.
        idpA.email = "renamed@" + a.slug() + ".example";
        assertEquals(a.staffId().toString(), claims(signIn(a.slug(), idpA).path("accessToken")).getString("sub"));
    }

    @Test
    void aProviderKnownByNameIsReachedAtTheAddressTheGuardChecked() {
        idpB.subject = "b-owner-subject";
        idpB.email = b.ownerEmail();
        String access = signIn(b.slug(), idpB).then().statusCode(200).extract().path("accessToken");
        assertEquals(b.ownerId().toString(), claims(access).getString("sub"));
    }

    @Test
    void aTokenFromTenantAsProviderIsRefusedForTenantB() {
        idpA.subject = "a-owner-subject";
        idpA.email = b.ownerEmail();
        idpB.idTokenOverride = nonce -> idpA.idToken(nonce);
        try {
            assertEquals(401, signIn(b.slug(), idpB).statusCode());
        } finally {
            idpB.idTokenOverride = null;
        }
        // B's issuer, A's key: the signature does not verify.
        idpB.idTokenOverride = nonce -> Jwt.issuer(idpB.issuer()).audience(idpB.clientId).subject("mallory").claim("email", b.ownerEmail())
                .claim("nonce", nonce).expiresIn(300).jws().keyId(idpB.kid).sign(idpA.keys.getPrivate());
        try {
            assertEquals(401, signIn(b.slug(), idpB).statusCode());
        } finally {
            idpB.idTokenOverride = null;
        }
    }

    @Test
    void aProviderSignsInOnlyItsOwnTenantsMembers() {
        // A's IdP vouches for B's owner: A has no such member.
        idpA.subject = "someone-of-b";
        idpA.email = b.ownerEmail();
        signIn(a.slug(), idpA).then().statusCode(403);
    }

    @Test
    void idpTokensAndSsoSessionsOpenNoApi() {
        idpA.subject = A_OWNER_SUBJECT;
        idpA.email = a.ownerEmail();
        signIn(a.slug(), idpA).then().statusCode(200);
        Map<String, String> ssoCookies = lastCookies;
        given().header("Authorization", "Bearer " + idpA.idToken(null)).get("/members").then().statusCode(401);
        given().cookies(ssoCookies).get("/members").then().statusCode(401);
        // A's cookies at B's sign-in start B's flow, nothing else.
        Response atB = given().redirects().follow(false).cookies(ssoCookies).get("/sso/" + b.slug() + "/login");
        assertEquals(302, atB.statusCode());
        assertTrue(atB.header("Location").startsWith(idpB.issuer()));
    }

    @Test
    void anUnverifiedEmailLinksNobody() {
        idpA.subject = "unverified-subject";
        idpA.email = a.ownerEmail();
        idpA.emailVerified = false;
        try {
            signIn(a.slug(), idpA).then().statusCode(403);
        } finally {
            idpA.emailVerified = true;
        }
    }

    @Test
    void anSsoSessionCannotChangeTheAccountsOwnCredentials() {
        idpA.subject = A_OWNER_SUBJECT;
        idpA.email = a.ownerEmail();
        String access = signIn(a.slug(), idpA).then().statusCode(200).extract().path("accessToken");
        assertEquals("sso", claims(access).getJsonArray("amr").getString(0));
        bearer(access).post("/account/mfa/totp").then().statusCode(403);
        bearer(access).body(Map.of("currentPassword", Api.PASSWORD, "newPassword", "Another-Passw0rd-99!"))
                .post("/account/password").then().statusCode(403);
    }

    @Test
    void onlyOwnersConfigureAndTheSecretIsNeverShown() {
        Api.TestTenant tenant = Api.newTenant("MEMBERS_MANAGE");
        bearer(tenant.staffToken()).body(Map.of("issuer", "https://idp.example.com", "clientId", "x", "clientSecret", "y"))
                .put("/tenant/sso").then().statusCode(403);
        bearer(tenant.ownerToken()).body(Map.of("issuer", "https://user:pw@idp.example.com", "clientId", "x", "clientSecret", "y"))
                .put("/tenant/sso").then().statusCode(422);
        bearer(tenant.ownerToken()).body(Map.of("issuer", "https://exa mple.com", "clientId", "x", "clientSecret", "y"))
                .put("/tenant/sso").then().statusCode(422);
        bearer(a.ownerToken()).get("/tenant/sso").then().statusCode(200).body("issuer", equalTo(idpA.issuer()))
                .body("clientSecretSet", equalTo(true)).body(not(containsString(idpA.clientSecret)));
        given().redirects().follow(false).get("/sso/" + tenant.slug() + "/login").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("single sign-on"));
    }

    @Test
    void theIssuerAndEveryDiscoveredEndpointPassTheEgressGuardWhenTheOwnerSaves() {
        Api.TestTenant tenant = Api.newTenant(null);
        for (String issuer : List.of("https://169.254.169.254", "http://10.0.0.7", "https://[::ffff:127.0.0.1]", "https://metadata.google.internal",
                "https://idp.does-not-resolve.invalid")) {
            bearer(tenant.ownerToken()).body(Map.of("issuer", issuer, "clientId", "x", "clientSecret", "y")).put("/tenant/sso")
                    .then().statusCode(422).contentType(startsWith("application/problem+json")).body("detail", containsString("refused"));
        }
        try (FakeOidcProvider idp = new FakeOidcProvider("palisade-c", "secret-of-c")) {
            Map<String, String> settings = Map.of("issuer", idp.issuer(), "clientId", idp.clientId, "clientSecret", idp.clientSecret);
            for (Map.Entry<String, Object> bad : List.of(Map.<String, Object>entry("jwks_uri", "http://169.254.169.254/latest/meta-data"),
                    Map.<String, Object>entry("token_endpoint", "http://10.1.2.3/token"),
                    Map.<String, Object>entry("authorization_endpoint", "https://[fd00::1]/authorize"),
                    Map.<String, Object>entry("issuer", "http://127.0.0.1:1"))) {
                idp.discoveryOverrides.clear();
                idp.discoveryOverrides.put(bad.getKey(), bad.getValue());
                bearer(tenant.ownerToken()).body(settings).put("/tenant/sso").then().statusCode(422)
                        .contentType(startsWith("application/problem+json")).body("detail", containsString(bad.getKey()));
            }
            bearer(tenant.ownerToken()).get("/tenant/sso").then().statusCode(404);
            idp.discoveryOverrides.clear();
            bearer(tenant.ownerToken()).body(settings).put("/tenant/sso").then().statusCode(200);
        }
    }

    @Test
    void anAnonymousSignInNeverFetchesDiscovery() {
        int fetched = idpA.discoveryRequests.get();
        idpA.subject = A_OWNER_SUBJECT;
        idpA.email = a.ownerEmail();
        signIn(a.slug(), idpA).then().statusCode(200);
        given().redirects().follow(false).get("/sso/" + a.slug() + "/login").then().statusCode(302);
        assertEquals(fetched, idpA.discoveryRequests.get(), "discovery is read when an owner saves, never on the sign-in path");
    }

    @Test
    void anUnreachableOrRefusedProviderIsAProblemNeverTheLibrarysInternals() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        FakeOidcProvider idp = new FakeOidcProvider("palisade-d", "secret-of-d");
        bearer(tenant.ownerToken()).body(Map.of("issuer", idp.issuer(), "clientId", idp.clientId, "clientSecret", idp.clientSecret))
                .put("/tenant/sso").then().statusCode(200);
        idp.close();
        // The sign-in starts by reading the provider's keys: it is gone.
        given().redirects().follow(false).get("/sso/" + tenant.slug() + "/login").then().statusCode(502)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("identity provider"))
                .body(not(containsString("Exception")));

        // The stored keys URL now points at the metadata service (as a name that turned inward would): the request
        // is checked when it is sent, and refused.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "update tenancy.sso_providers set jwks_uri = 'https://169.254.169.254/jwks', updated_at = now() where tenant_id = ?")) {
            st.setObject(1, tenant.id());
            assertEquals(1, st.executeUpdate());
        }
        given().redirects().follow(false).get("/sso/" + tenant.slug() + "/login").then().statusCode(502).contentType(startsWith("application/problem+json"))
                .body("detail", containsString("169.254.169.254"));

        // A configuration saved before endpoints were stored cannot be used until an owner saves it again.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(
                "update tenancy.sso_providers set authorization_endpoint = null, token_endpoint = null, jwks_uri = null,"
                        + " discovered_at = null, updated_at = now() where tenant_id = ?")) {
            st.setObject(1, tenant.id());
            assertEquals(1, st.executeUpdate());
        }
        given().redirects().follow(false).get("/sso/" + tenant.slug() + "/login").then().statusCode(503)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("saved again"));
    }
}
