package io.palisade.tenant;

import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestAuthenticator;
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
        Response signup = signUp(slug, owner, PASSWORD);
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

    /** Self-serve signup as a person does it: the request, then the link mailed to the email. */
    public static Response signUp(String slug, String email, String password) {
        json().body(Map.of("tenantName", "Tenant " + slug, "tenantSlug", slug, "email", email,
                "displayName", "Owner " + slug, "password", password)).post("/signup").then().statusCode(202);
        Response completed = json().body(Map.of("token", MailDrop.latestLinkToken(email))).post("/signup/complete");
        completed.then().statusCode(201);
        return completed;
    }

    /** A platform admin who enrolled an authenticator at the first sign-in, and the token both factors gave. */
    public record PlatformAdmin(UUID userId, String email, TestAuthenticator authenticator, String token) {
    }

    /** A new account made a platform admin (as only the database owner can) that signs in to the platform. */
    public static PlatformAdmin newPlatformAdmin() {
        TestTenant tenant = newTenant(null);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("update tenancy.users set platform_admin = true where id = ?")) {
            st.setObject(1, tenant.ownerId());
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return platformSignIn(tenant.ownerEmail(), PASSWORD, null);
    }

    /**
     * Signs in to the platform: the password, then the authenticator's code, or (without one yet) enrolment,
     * which every platform admin must go through.
     */
    public static PlatformAdmin platformSignIn(String email, String password, TestAuthenticator authenticator) {
        Response first = json().body(Map.of("email", email, "password", password, "tenant", "platform")).post("/auth/login");
        first.then().statusCode(200).body("accessToken", org.hamcrest.Matchers.nullValue());
        String mfaToken = first.path("mfaToken");
        Response tokens;
        if (authenticator == null) {
            first.then().body("mfaStep", org.hamcrest.Matchers.equalTo("enrol"));
            authenticator = new TestAuthenticator(json().body(Map.of("mfaToken", mfaToken)).post("/auth/mfa/enrolment")
                    .then().statusCode(200).extract().path("secret"));
            tokens = json().body(Map.of("mfaToken", mfaToken, "code", authenticator.nextCode())).post("/auth/mfa/enrolment/confirm");
            tokens.then().statusCode(200);
            String token = tokens.path("tokens.accessToken");
            return new PlatformAdmin(UUID.fromString(subject(token)), email, authenticator, token);
        }
        first.then().body("mfaStep", org.hamcrest.Matchers.equalTo("verify"));
        tokens = json().body(Map.of("mfaToken", mfaToken, "code", authenticator.nextCode())).post("/auth/mfa");
        tokens.then().statusCode(200);
        return new PlatformAdmin(UUID.fromString(subject(tokens.path("accessToken"))), email, authenticator, tokens.path("accessToken"));
    }

    /** The subject of a JWT, read without verifying it (the service verified it). */
    public static String subject(String jwt) {
        return new io.vertx.core.json.JsonObject(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8)).getString("sub");
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
