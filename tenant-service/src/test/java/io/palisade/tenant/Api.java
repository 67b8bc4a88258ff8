package io.palisade.tenant;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Drives tenant-service through its HTTP API, as a client would. */
public final class Api {

    public static final String PASSWORD = "Correct-Horse-9-Battery!";

    private Api() {
    }

    /** A tenant created by self-serve signup, with its owner and one staff member (who joined by invitation). */
    public record TestTenant(UUID id, String slug, UUID ownerId, String ownerEmail, UUID staffId, String staffEmail) {
        public String ownerToken() {
            return login(ownerEmail, slug);
        }

        public String staffToken() {
            return login(staffEmail, slug);
        }
    }

    public static TestTenant newTenant(String staffPermission) {
        String slug = "t-" + UUID.randomUUID().toString().substring(0, 12);
        String owner = "owner@" + slug + ".example";
        Response signup = json().body(Map.of("tenantName", "Tenant " + slug, "tenantSlug", slug, "email", owner,
                "displayName", "Owner " + slug, "password", PASSWORD)).post("/signup");
        signup.then().statusCode(201);
        String ownerToken = login(owner, slug);
        String staff = "staff@" + slug + ".example";
        String acceptToken = bearer(ownerToken).body(Map.of("email", staff, "role", "staff",
                "permissions", staffPermission == null ? List.of() : List.of(staffPermission)))
                .post("/invitations").then().statusCode(201).extract().path("acceptToken");
        String staffId = json().body(Map.of("token", acceptToken, "displayName", "Staff " + slug, "password", PASSWORD))
                .post("/invitations/accept").then().statusCode(200).extract().path("userId");
        return new TestTenant(UUID.fromString(signup.path("tenantId")), slug, UUID.fromString(signup.path("userId")), owner,
                UUID.fromString(staffId), staff);
    }

    public static String login(String email, String tenantSlug) {
        return loginResponse(email, tenantSlug).then().statusCode(200).extract().path("accessToken");
    }

    public static Response loginResponse(String email, String tenantSlug) {
        return json().body(tenantSlug == null ? Map.of("email", email, "password", PASSWORD)
                : Map.of("email", email, "password", PASSWORD, "tenant", tenantSlug)).post("/auth/login");
    }

    /**
     * Each request comes from its own client address (X-Forwarded-For, trusted from loopback in tests), so the
     * per-address login lockout of one test never locks out another. Lockout tests set the address themselves.
     */
    public static RequestSpecification json() {
        return jsonFrom(randomClientAddress());
    }

    public static RequestSpecification jsonFrom(String clientAddress) {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON).header("X-Forwarded-For", clientAddress);
    }

    /** An address from 198.18.0.0/15, the range set aside for testing. */
    public static String randomClientAddress() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return "198." + (18 + random.nextInt(2)) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    public static RequestSpecification bearer(String token) {
        return json().header("Authorization", "Bearer " + token);
    }
}
