package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.tokens.SigningKeyRepository;
import io.palisade.tenant.tokens.SigningKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/**
 * Keys rotate without downtime: a new key is published before it signs, and the old key keeps verifying
 * the tokens it signed. Instances starting together on an empty key table store one first key between them.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SigningKeyRotationTest {

    @Inject
    SigningKeys signingKeys;

    @Inject
    SigningKeyRepository repository;

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

    @Test
    void instancesStartingTogetherOnAnEmptyTableStoreOneFirstKey() throws Exception {
        try (Connection saved = PalisadeTestStack.get().connectAsSuperuser(); Statement keys = saved.createStatement()) {
            // The table as a fresh platform finds it; this session keeps the keys to put them back.
            keys.execute("create temp table saved_keys as select * from tenancy.signing_keys; delete from tenancy.signing_keys");
            try {
                try (Connection starting = PalisadeTestStack.get().connectAsSuperuser();
                        PreparedStatement lock = starting.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                    // Two instances reach insertFirst at once: held here until both wait for the lock, then let go.
                    starting.setAutoCommit(false);
                    lock.setString(1, SigningKeyRepository.FIRST_KEY_LOCK);
                    lock.execute();
                    JsonObject jwk = new JsonObject().put("kty", "RSA");
                    CompletableFuture<Void> first = repository.insertFirst("first-a", jwk, "v1:a").subscribeAsCompletionStage();
                    CompletableFuture<Void> second = repository.insertFirst("first-b", jwk, "v1:b").subscribeAsCompletionStage();
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (PalisadeTestStack.get().count("select count(*) from pg_locks where locktype = 'advisory' and not granted") < 2) {
                        assertTrue(System.nanoTime() < deadline, "both inserts wait for the first-key lock");
                        Thread.sleep(20);
                    }
                    assertFalse(first.isDone() || second.isDone());
                    starting.commit();
                    CompletableFuture.allOf(first, second).get(20, TimeUnit.SECONDS);
                }
                assertEquals(1, PalisadeTestStack.get().count("select count(*) from tenancy.signing_keys"), "one first key between them");
                assertEquals(1, PalisadeTestStack.get().count("select count(*) from tenancy.signing_keys where kid in ('first-a', 'first-b')"));
            } finally {
                keys.execute("delete from tenancy.signing_keys; insert into tenancy.signing_keys select * from saved_keys");
                signingKeys.reloadNow().await().atMost(Duration.ofSeconds(10));
            }
        }
    }

    private static String kid(String jwt) {
        return new JsonPath(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8)).getString("kid");
    }
}
