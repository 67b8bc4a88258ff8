package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.palisade.tenant.tokens.SigningKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;

/**
 * No app-role path to forged tokens: a signing key written into tenancy.signing_keys by the serving role (what one SQL
 * injection in tenant-service could do) is neither published in the JWKS nor used, and a token signed with it is
 * refused; the serving role cannot change a stored key at all.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class ForgedSigningKeyTest {

    @Inject
    SigningKeys signingKeys;

    @Test
    void aKeyAddedWithoutTheMasterKeyIsNeverPublishedNorTrusted() throws Exception {
        TestTenant t = Api.newTenant(null);
        String genuine = t.ownerToken();
        KeyPair attacker = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String forgedKid = "forged-" + UUID.randomUUID();
        RSAPublicKey publicKey = (RSAPublicKey) attacker.getPublic();
        String jwk = "{\"kty\":\"RSA\",\"kid\":\"" + forgedKid + "\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"" + base64Url(publicKey.getModulus())
                + "\",\"e\":\"" + base64Url(publicKey.getPublicExponent()) + "\"}";
        try (Connection c = PalisadeTestStack.get().connectAs("tenant_service");
                PreparedStatement insert = c.prepareStatement("insert into tenancy.signing_keys (kid, public_jwk, private_key_sealed) values (?, ?::jsonb, ?)")) {
            insert.setString(1, forgedKid);
            insert.setString(2, jwk);
            // Whatever the attacker writes here, without the master key it is not a sealing of the private key.
            insert.setString(3, "v1:" + Base64.getEncoder().encodeToString(attacker.getPrivate().getEncoded()));
            insert.executeUpdate();
        }
        try {
            signingKeys.reloadNow().await().atMost(Duration.ofSeconds(10));
            json().get("/.well-known/jwks.json").then().statusCode(200).body("keys.kid", not(hasItem(forgedKid)));

            Map<String, Object> claims = new ObjectMapper().readValue(
                    Base64.getUrlDecoder().decode(genuine.split("\\.")[1]), new TypeReference<Map<String, Object>>() {
                    });
            String forged = Jwt.claims(claims).jws().keyId(forgedKid).sign(attacker.getPrivate());
            bearer(forged).get("/tenant").then().statusCode(401);
            bearer(genuine).get("/tenant").then().statusCode(200);
            assertEquals(kidOf(genuine), kidOf(t.ownerToken()), "the genuine key still signs: the newer forged one is not used");

            // Nor can the serving role swap a genuine key's public half for the attacker's.
            try (Connection c = PalisadeTestStack.get().connectAs("tenant_service");
                    PreparedStatement update = c.prepareStatement("update tenancy.signing_keys set public_jwk = ?::jsonb where kid = ?")) {
                update.setString(1, jwk);
                update.setString(2, kidOf(genuine));
                SQLException refused = assertThrows(SQLException.class, update::executeUpdate);
                assertEquals("42501", refused.getSQLState());
            }
        } finally {
            try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                    PreparedStatement delete = c.prepareStatement("delete from tenancy.signing_keys where kid = ?")) {
                delete.setString(1, forgedKid);
                delete.executeUpdate();
            }
        }
    }

    private static String kidOf(String jwt) throws Exception {
        return new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8)).path("kid").asText();
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
