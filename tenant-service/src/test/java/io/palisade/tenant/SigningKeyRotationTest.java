package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Keys rotate without downtime: tokens of the old key keep working until they expire, new ones use the new key. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SigningKeyRotationTest {

    @Test
    void oldTokensStillVerifyAfterRotationAndNewTokensUseTheNewKey() {
        TestTenant t = Api.newTenant(null);
        String before = t.ownerToken();
        String platform = json().body(Map.of("email", "platform@palisade.test", "password", "Test-Platform-Passw0rd!"))
                .post("/auth/login").then().statusCode(200).extract().path("accessToken");
        bearer(platform).get("/members").then().statusCode(401);
        String oldKid = kid(before);
        String newKid = bearer(platform).post("/platform/signing-keys/rotate").then().statusCode(200).extract().path("activeKid");
        assertNotEquals(oldKid, newKid);
        json().get("/.well-known/jwks.json").then().statusCode(200).body("keys.kid", hasItems(oldKid, newKid));

        bearer(before).get("/tenant").then().statusCode(200);
        String after = t.ownerToken();
        org.junit.jupiter.api.Assertions.assertEquals(newKid, kid(after));
        bearer(after).get("/tenant").then().statusCode(200);
    }

    private static String kid(String jwt) {
        String header = new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), java.nio.charset.StandardCharsets.UTF_8);
        return new io.restassured.path.json.JsonPath(header).getString("kid");
    }
}
