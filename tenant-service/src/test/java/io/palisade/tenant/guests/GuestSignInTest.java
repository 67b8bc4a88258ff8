package io.palisade.tenant.guests;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.common.crypto.Hashes;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.MailDrop;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/** Magic-link sign-in for guests: one use, newest link only, 30 minutes, a token with no staff power. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class GuestSignInTest {

    private static String guestEmail() {
        return "guest-" + UUID.randomUUID() + "@example.net";
    }

    private static String requestLink(String slug, String email) {
        json().body(Map.of("tenant", slug, "email", email)).post("/guest/sign-in").then().statusCode(202);
        return MailDrop.latestLinkToken(email);
    }

    private static Response redeem(String token) {
        return json().body(Map.of("token", token)).post("/guest/sign-in/redeem");
    }

    private static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void aLinkSignsTheGuestInOnceWithAGuestTokenForThatTenantOnly() {
        Api.TestTenant tenant = Api.newTenant(null);
        String email = guestEmail();
        String link = requestLink(tenant.slug(), email);
        Response signedIn = redeem(link);
        signedIn.then().statusCode(200);
        JsonObject claims = claims(signedIn.path("accessToken"));
        assertEquals(tenant.id().toString(), claims.getString("tid"));
        assertEquals(signedIn.path("guestId"), claims.getString("sub"));
        assertEquals("guest", claims.getString("pty"));
        assertEquals(0L, claims.getLong("perm"));
        assertEquals(List.of("guest"), claims.getJsonArray("roles").getList());
        // Every verifier refuses tokens that live longer than 15 minutes (smallrye.jwt.time-to-live).
        assertEquals(900, (int) signedIn.path("expiresIn"));
        assertTrue(claims.getLong("exp") - claims.getLong("iat") <= 900);

        redeem(link).then().statusCode(401);
    }

    @Test
    void aNewerLinkReplacesTheOlderOne() {
        Api.TestTenant tenant = Api.newTenant(null);
        String email = guestEmail();
        String older = requestLink(tenant.slug(), email);
        String newer = requestLink(tenant.slug(), email);
        assertNotEquals(older, newer);
        redeem(older).then().statusCode(401);
        redeem(newer).then().statusCode(200);
    }

    @Test
    void anExpiredLinkIsRefused() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        String link = requestLink(tenant.slug(), guestEmail());
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("update tenancy.guest_sign_in_links set expires_at = now() - interval '1 second'"
                        + " where token_hash = ?")) {
            st.setString(1, Hashes.sha256Hex(link));
            assertEquals(1, st.executeUpdate());
        }
        redeem(link).then().statusCode(401);
    }

    @Test
    void linksLastThirtyMinutesAndAreStoredOnlyAsHashes() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        String link = requestLink(tenant.slug(), guestEmail());
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select token_hash, extract(epoch from expires_at - created_at)::int"
                        + " from tenancy.guest_sign_in_links where tenant_id = ?")) {
            st.setObject(1, tenant.id());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(Hashes.sha256Hex(link), rs.getString(1));
                assertEquals(1800, rs.getInt(2));
            }
        }
    }

    @Test
    void aGuestTokenOpensNoStaffEndpoint() {
        Api.TestTenant tenant = Api.newTenant(null);
        String guest = redeem(requestLink(tenant.slug(), guestEmail())).path("accessToken");
        bearer(guest).get("/tenant").then().statusCode(403);
        bearer(guest).get("/members").then().statusCode(403);
        bearer(guest).get("/members/" + tenant.ownerId()).then().statusCode(403);
        bearer(guest).get("/invitations").then().statusCode(403);
        bearer(guest).body(Map.of("email", "x@example.com", "role", "staff")).post("/invitations").then().statusCode(403);
        bearer(guest).body(Map.of("name", "Hijacked")).patch("/tenant").then().statusCode(403);
        bearer(guest).get("/security/isolation-proof").then().statusCode(403);
        bearer(guest).get("/account/mfa").then().statusCode(403);
        bearer(guest).body(Map.of("currentPassword", "x", "newPassword", "y")).post("/account/password").then().statusCode(403);
        bearer(guest).post("/platform/signing-keys/rotate").then().statusCode(403);
    }

    @Test
    void theSamePersonIsADifferentGuestAtEveryTenant() {
        String email = guestEmail();
        Api.TestTenant a = Api.newTenant(null);
        Api.TestTenant b = Api.newTenant(null);
        String atA = redeem(requestLink(a.slug(), email)).path("guestId");
        String atB = redeem(requestLink(b.slug(), email)).path("guestId");
        assertNotEquals(atA, atB);
        // And the same guest again at A.
        assertEquals(atA, redeem(requestLink(a.slug(), email.toUpperCase())).path("guestId"));
    }

    @Test
    void unknownTenantsAreNotFoundAndInboxesCannotBeFlooded() {
        json().body(Map.of("tenant", "no-such-tenant-" + UUID.randomUUID().toString().substring(0, 8), "email", guestEmail()))
                .post("/guest/sign-in").then().statusCode(404);
        Api.TestTenant tenant = Api.newTenant(null);
        String email = guestEmail();
        for (int i = 0; i < 7; i++) {
            json().body(Map.of("tenant", tenant.slug(), "email", email)).post("/guest/sign-in").then().statusCode(202);
        }
        assertEquals(5, MailDrop.to(email).size());
    }

    @Test
    void oneClientAddressCannotMailTheWholeWorld() {
        Api.TestTenant tenant = Api.newTenant(null);
        String address = Api.randomClientAddress();
        List<String> emails = new java.util.ArrayList<>();
        for (int i = 0; i < 22; i++) {
            String email = guestEmail();
            emails.add(email);
            Api.jsonFrom(address).body(Map.of("tenant", tenant.slug(), "email", email)).post("/guest/sign-in").then().statusCode(202);
        }
        assertEquals(20, emails.stream().filter(e -> !MailDrop.to(e).isEmpty()).count());
    }

    @Test
    void signInsAreAuditedInTheTenantsLogWithoutTheEmail() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        String email = guestEmail();
        String guestId = redeem(requestLink(tenant.slug(), email)).path("guestId");
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select type, data::text from tenancy.outbox where stream = 'audit'"
                        + " and tenant_id = ? and subject = ? order by seq")) {
            st.setObject(1, tenant.id());
            st.setString(2, guestId);
            try (ResultSet rs = st.executeQuery()) {
                List<String> types = new java.util.ArrayList<>();
                while (rs.next()) {
                    types.add(rs.getString(1));
                    assertFalse(rs.getString(2).contains(email), "the audit event holds the email");
                }
                assertEquals(List.of("guest.sign_in_link_requested", "guest.signed_in"), types);
            }
        }
    }
}
