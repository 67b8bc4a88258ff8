package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.tokens.SigningKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Every way a token can be wrong ends in 401 (or 404 for another tenant's object), never in data. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class TokenMisuseTest {

    @Inject
    SigningKeys keys;

    static TestTenant a;
    static TestTenant b;

    @BeforeEach
    void tenants() {
        if (a == null) {
            a = Api.newTenant(null);
            b = Api.newTenant(null);
        }
    }

    private JwtClaimsBuilder claims(TestTenant tenant) {
        Instant now = Instant.now();
        return Jwt.issuer("http://localhost:8081").audience("palisade").subject(tenant.ownerId().toString())
                .claim("tid", tenant.id().toString()).claim("roles", List.of("owner")).claim("perm", 1023L)
                .claim("jti", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now.plusSeconds(300));
    }

    private String signed(JwtClaimsBuilder claims) {
        return claims.jws().keyId(keys.active().kid()).algorithm(SignatureAlgorithm.RS256).sign(keys.active().privateKey());
    }

    @Test
    void aCorrectlyForgedTokenWorksSoTheFailuresBelowAreMeaningful() {
        bearer(signed(claims(a))).get("/members").then().statusCode(200).body("items.size()", equalTo(2));
    }

    @Test
    void expiredTokenIsRefused() {
        Instant past = Instant.now().minusSeconds(3600);
        expectUnauthorized(signed(claims(a).issuedAt(past).expiresAt(past.plusSeconds(600))));
    }

    @Test
    void wrongSignatureIsRefused() throws NoSuchAlgorithmException {
        PrivateKey stranger = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        expectUnauthorized(claims(a).jws().keyId(keys.active().kid()).algorithm(SignatureAlgorithm.RS256).sign(stranger));
    }

    @Test
    void algNoneIsRefused() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + keys.active().kid() + "\"}");
        long now = Instant.now().getEpochSecond();
        String payload = b64("{\"iss\":\"http://localhost:8081\",\"aud\":\"palisade\",\"sub\":\"" + a.ownerId() + "\",\"tid\":\""
                + a.id() + "\",\"roles\":[\"owner\"],\"perm\":1023,\"iat\":" + now + ",\"exp\":" + (now + 300) + "}");
        expectUnauthorized(header + "." + payload + ".");
    }

    @Test
    void symmetricAlgorithmWithThePublicKeyIsRefused() {
        String secret = keys.jwks().getJsonArray("keys").getJsonObject(0).getString("n");
        expectUnauthorized(claims(a).jws().keyId(keys.active().kid()).algorithm(SignatureAlgorithm.HS256)
                .signWithSecret(secret + secret));
    }

    @Test
    void wrongAudienceOrIssuerIsRefused() {
        expectUnauthorized(signed(claims(a).audience("some-other-system")));
        expectUnauthorized(signed(claims(a).issuer("https://evil.example")));
    }

    @Test
    void overlongLifetimeIsRefused() {
        Instant now = Instant.now();
        expectUnauthorized(signed(claims(a).issuedAt(now).expiresAt(now.plusSeconds(24 * 3600))));
    }

    @Test
    void tamperedPayloadIsRefused() {
        String token = a.ownerToken();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(a.id().toString(), b.id().toString());
        expectUnauthorized(parts[0] + "." + b64(payload) + "." + parts[2]);
    }

    @Test
    void missingOrMalformedTokenIsRefused() {
        given().get("/members").then().statusCode(401).header("Content-Type", startsWith("application/problem+json"));
        given().header("Authorization", "Bearer not-a-jwt").get("/members").then().statusCode(401);
        given().header("Authorization", "Basic " + b64("owner:password")).get("/members").then().statusCode(401);
    }

    @Test
    void aTokenWithoutTenantCannotReachTenantData() {
        expectUnauthorized(signed(claims(a).remove("tid")));
        expectUnauthorized(signed(claims(a).claim("tid", "not-a-uuid")));
    }

    @Test
    void anotherTenantsTokenFindsNothingOfThisTenant() {
        String tokenOfB = b.ownerToken();
        bearer(tokenOfB).get("/members/" + a.staffId()).then().statusCode(404);
        bearer(tokenOfB).body(Map.of("role", "admin")).patch("/members/" + a.staffId()).then().statusCode(404);
    }

    @Test
    void aForgedTenantClaimForANonMemberFindsNothing() {
        // Even a validly signed token naming tenant A for B's owner is refused: its role is read from A's memberships,
        // where B's owner has none (and row-level security would show it no row of A anyway).
        String forged = signed(claims(a).subject(b.ownerId().toString()));
        bearer(forged).get("/members").then().statusCode(403);
        bearer(forged).get("/tenant").then().statusCode(403);
    }

    private static void expectUnauthorized(String token) {
        given().header("Authorization", "Bearer " + token).get("/members").then().statusCode(401)
                .header("Content-Type", startsWith("application/problem+json"));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
