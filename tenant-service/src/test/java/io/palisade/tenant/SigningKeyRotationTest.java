package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.tokens.SigningKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Keys rotate without downtime: a new key is published before it signs, and the old key keeps verifying
 * the tokens it signed.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SigningKeyRotationTest {

    @Inject
    SigningKeys signingKeys;

    @Test
    void aStagedKeyIsPublishedFirstSignsLaterAndOldTokensKeepWorking() throws Exception {
        TestTenant t = Api.newTenant(null);
        String before = t.ownerToken();
        String oldKid = kid(before);
        String platform = Api.newPlatformAdmin().token();
        bearer(platform).get("/members").then().statusCode(403);

        String newKid = bearer(platform).post("/platform/signing-keys/rotate").then().statusCode(200).extract().path("stagedKid");
        assertNotEquals(oldKid, newKid);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from tenancy.outbox where stream = 'audit' and tenant_id is null and type = 'platform.signing_key_rotated'"
                        + " and data->'target'->>'id' = ? and data->'actor'->>'role' = 'platform-admin'")) {
            ps.setString(1, newKid);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the rotation is a platform audit event");
            }
        }
        json().get("/.well-known/jwks.json").then().statusCode(200).body("keys.kid", hasItems(oldKid, newKid));
        assertEquals(oldKid, kid(t.ownerToken()), "the staged key does not sign before its activation");

        // The activation delay passes (moved forward by hand), instances reload.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement ps = c.prepareStatement("update tenancy.signing_keys set activates_at = now() where kid = ?;"
                        + " update tenancy.signing_keys set retired_at = now() where kid = ?")) {
            ps.setString(1, newKid);
            ps.setString(2, oldKid);
            ps.execute();
        }
        signingKeys.reloadNow().await().atMost(Duration.ofSeconds(10));

        String after = t.ownerToken();
        assertEquals(newKid, kid(after));
        bearer(before).get("/tenant").then().statusCode(200);
        // The activation was moved forward by hand, past the delay that lets verifiers refresh their JWKS
        // cache on schedule; here they refresh on the unknown kid, which may take a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (bearer(after).get("/tenant").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        bearer(after).get("/tenant").then().statusCode(200);
        json().get("/.well-known/jwks.json").then().body("keys.kid", hasItems(oldKid, newKid));
    }

    private static String kid(String jwt) {
        return new JsonPath(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8)).getString("kid");
    }
}
