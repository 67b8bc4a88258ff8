package io.palisade.tenant.mfa;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static io.palisade.tenant.Api.jsonFrom;
import static io.palisade.tenant.Api.randomClientAddress;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** TOTP enrolment, sign-in with a second factor, single-use codes and recovery codes, the tenant requirement. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class MfaTest {

    private record Enrolled(String secret, List<String> recoveryCodes) {
    }

    /** Enrols an authenticator for the token's user, confirming with the current step's code. */
    private static Enrolled enrol(String token) {
        Response started = bearer(token).post("/account/mfa/totp");
        started.then().statusCode(200);
        String secret = started.path("secret");
        awayFromStepBoundary();
        List<String> codes = bearer(token).body(Map.of("code", code(secret, 0))).post("/account/mfa/totp/confirm")
                .then().statusCode(200).extract().path("recoveryCodes");
        return new Enrolled(secret, codes);
    }

    private static String code(String secret, int stepsFromNow) {
        return Totp.code(secret, Totp.step(Instant.now()) + stepsFromNow);
    }

    /** Codes are computed here and checked there: not across a step boundary, or "now - 1" could become "now - 2". */
    private static void awayFromStepBoundary() {
        long intoStep = Instant.now().getEpochSecond() % Totp.STEP_SECONDS;
        if (intoStep > Totp.STEP_SECONDS - 3) {
            sleep((Totp.STEP_SECONDS - intoStep + 1) * 1000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Response passwordStep(String email, String slug) {
        return json().body(Map.of("email", email, "password", Api.PASSWORD, "tenant", slug)).post("/auth/login");
    }

    private static Response secondStep(String mfaToken, String key, String value) {
        return json().body(Map.of("mfaToken", mfaToken, key, value)).post("/auth/mfa");
    }

    @Test
    void enrolmentGivesASecretAUriAQrCodeAndTenRecoveryCodesAfterAFirstCode() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        String token = tenant.ownerToken();
        Response started = bearer(token).post("/account/mfa/totp");
        started.then().statusCode(200)
                .body("provisioningUri", startsWith("otpauth://totp/Palisade:" + tenant.ownerEmail().replace("@", "%40") + "?secret="))
                .body("qrCodeSvg", startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        String secret = started.path("secret");
        bearer(token).get("/account/mfa").then().body("enrolled", equalTo(false));
        bearer(token).body(Map.of("code", code(secret, 5))).post("/account/mfa/totp/confirm").then().statusCode(422);
        awayFromStepBoundary();
        bearer(token).body(Map.of("code", code(secret, 0))).post("/account/mfa/totp/confirm").then().statusCode(200)
                .body("recoveryCodes", hasSize(10));
        bearer(token).get("/account/mfa").then().body("enrolled", equalTo(true)).body("recoveryCodesRemaining", equalTo(10));
        // The secret is sealed at rest; recovery codes are kept only as hashes.
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select t.secret_sealed, array_agg(r.code_hash) from tenancy.mfa_totp t"
                        + " join tenancy.mfa_recovery_codes r using (user_id) where t.user_id = ? group by t.secret_sealed")) {
            st.setObject(1, tenant.ownerId());
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next());
                assertFalse(rs.getString(1).contains(secret));
                assertEquals(10, ((String[]) rs.getArray(2).getArray()).length);
            }
        }
        assertEquals(List.of("account.mfa_enabled"), auditActions(tenant.ownerId().toString(), "account.mfa_enabled"));
    }

    @Test
    void anEnrolledUserGetsNoTokenWithoutTheSecondFactorAndEachCodeWorksOnce() {
        Api.TestTenant tenant = Api.newTenant(null);
        Enrolled enrolled = enrol(tenant.ownerToken());

        Response first = passwordStep(tenant.ownerEmail(), tenant.slug());
        first.then().statusCode(200).body("accessToken", nullValue()).body("refreshToken", nullValue())
                .body("mfaStep", equalTo("verify"));
        // The step used at enrolment is spent; the next one (within the window) is fresh.
        String next = code(enrolled.secret(), 1);
        secondStep(first.path("mfaToken"), "code", next).then().statusCode(200).body("accessToken", startsWith("ey"));

        Response second = passwordStep(tenant.ownerEmail(), tenant.slug());
        secondStep(second.path("mfaToken"), "code", next).then().statusCode(401);
        // An earlier code is no better than a replayed one.
        secondStep(second.path("mfaToken"), "code", code(enrolled.secret(), 0)).then().statusCode(401);
        // A spent challenge token cannot be used again.
        secondStep(first.path("mfaToken"), "code", code(enrolled.secret(), 1)).then().statusCode(401);
    }

    @Test
    void codesOutsideOneStepEitherSideAreRefused() {
        Api.TestTenant tenant = Api.newTenant(null);
        Enrolled enrolled = enrol(tenant.ownerToken());
        awayFromStepBoundary();
        Response login = passwordStep(tenant.ownerEmail(), tenant.slug());
        secondStep(login.path("mfaToken"), "code", code(enrolled.secret(), 2)).then().statusCode(401);
        secondStep(login.path("mfaToken"), "code", code(enrolled.secret(), -2)).then().statusCode(401);
        secondStep(login.path("mfaToken"), "code", code(enrolled.secret(), 1)).then().statusCode(200);
    }

    @Test
    void aRecoveryCodeWorksOnce() {
        Api.TestTenant tenant = Api.newTenant(null);
        Enrolled enrolled = enrol(tenant.ownerToken());
        String recovery = enrolled.recoveryCodes().get(3);
        Response first = passwordStep(tenant.ownerEmail(), tenant.slug());
        secondStep(first.path("mfaToken"), "recoveryCode", recovery.toUpperCase()).then().statusCode(200);
        Response second = passwordStep(tenant.ownerEmail(), tenant.slug());
        secondStep(second.path("mfaToken"), "recoveryCode", recovery).then().statusCode(401);
        String token = secondStep(second.path("mfaToken"), "recoveryCode", enrolled.recoveryCodes().get(4))
                .then().statusCode(200).extract().path("accessToken");
        bearer(token).get("/account/mfa").then().body("recoveryCodesRemaining", equalTo(8));
    }

    @Test
    void disablingNeedsAFreshCode() {
        Api.TestTenant tenant = Api.newTenant(null);
        String token = tenant.ownerToken();
        Enrolled enrolled = enrol(token);
        // The confirmation's code is spent.
        bearer(token).body(Map.of("code", code(enrolled.secret(), 0))).post("/account/mfa/totp/disable").then().statusCode(422);
        bearer(token).body(Map.of("code", enrolled.recoveryCodes().get(0))).post("/account/mfa/totp/disable").then().statusCode(422);
        bearer(token).get("/account/mfa").then().body("enrolled", equalTo(true));
        bearer(token).body(Map.of("code", code(enrolled.secret(), 1))).post("/account/mfa/totp/disable").then().statusCode(204);
        bearer(token).get("/account/mfa").then().body("enrolled", equalTo(false));
        passwordStep(tenant.ownerEmail(), tenant.slug()).then().statusCode(200).body("accessToken", startsWith("ey"));
    }

    @Test
    void aTenantCanRequireMfaForOwnersAndAdminsButNotStaff() {
        Api.TestTenant tenant = Api.newTenant("MEMBERS_MANAGE");
        String owner = tenant.ownerToken();
        bearer(tenant.staffToken()).body(Map.of("requireMfaForAdmins", true)).put("/tenant/mfa-requirement").then().statusCode(403);
        bearer(owner).body(Map.of("requireMfaForAdmins", true)).put("/tenant/mfa-requirement").then().statusCode(200)
                .body("requireMfaForAdmins", equalTo(true));

        // Staff are not owners or admins: tokens at once.
        passwordStep(tenant.staffEmail(), tenant.slug()).then().statusCode(200).body("accessToken", startsWith("ey"));

        // The owner has no authenticator: enrol before any token.
        Response login = passwordStep(tenant.ownerEmail(), tenant.slug());
        login.then().statusCode(200).body("accessToken", nullValue()).body("mfaStep", equalTo("enrol"));
        String mfaToken = login.path("mfaToken");
        secondStep(mfaToken, "code", "123456").then().statusCode(401);
        String secret = json().body(Map.of("mfaToken", mfaToken)).post("/auth/mfa/enrolment").then().statusCode(200)
                .extract().path("secret");
        awayFromStepBoundary();
        json().body(Map.of("mfaToken", mfaToken, "code", code(secret, 0))).post("/auth/mfa/enrolment/confirm").then().statusCode(200)
                .body("recoveryCodes", hasSize(10)).body("tokens.accessToken", startsWith("ey"));
        // From now on the owner signs in with a code.
        passwordStep(tenant.ownerEmail(), tenant.slug()).then().body("mfaStep", equalTo("verify"));
        assertEquals(List.of("tenant.mfa_requirement_changed"), auditActions(tenant.id().toString(), "tenant.mfa_requirement_changed"));
    }

    @Test
    void wrongCodesCountAgainstTheLoginLockout() {
        Api.TestTenant tenant = Api.newTenant(null);
        Enrolled enrolled = enrol(tenant.ownerToken());
        Response login = passwordStep(tenant.ownerEmail(), tenant.slug());
        String mfaToken = login.path("mfaToken");
        String wrong = code(enrolled.secret(), 0).equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            jsonFrom(randomClientAddress()).body(Map.of("mfaToken", mfaToken, "code", wrong)).post("/auth/mfa").then().statusCode(401);
        }
        // Five wrong codes spent the challenge and locked the identifier: even the password step fails now.
        passwordStep(tenant.ownerEmail(), tenant.slug()).then().statusCode(401);
    }

    private static List<String> auditActions(String subject, String action) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select type from tenancy.outbox where stream = 'audit' and subject = ? and type = ?")) {
            st.setString(1, subject);
            st.setString(2, action);
            try (ResultSet rs = st.executeQuery()) {
                List<String> actions = new java.util.ArrayList<>();
                while (rs.next()) {
                    actions.add(rs.getString(1));
                }
                return actions;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
