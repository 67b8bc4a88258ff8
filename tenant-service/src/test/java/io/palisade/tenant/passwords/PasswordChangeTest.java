package io.palisade.tenant.passwords;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Changing a password: the current one is required, history refuses reuse, every other session ends. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class PasswordChangeTest {

    private static Response login(String email, String password) {
        return json().body(Map.of("email", email, "password", password)).post("/auth/login");
    }

    private static Response change(String token, String current, String next) {
        return bearer(token).body(Map.of("currentPassword", current, "newPassword", next)).post("/account/password");
    }

    @Test
    void theCurrentPasswordIsRequired() {
        Api.TestTenant tenant = Api.newTenant(null);
        change(tenant.ownerToken(), "Wrong-Password-123!", "Brand-New-Passw0rd!").then().statusCode(403);
        login(tenant.ownerEmail(), Api.PASSWORD).then().statusCode(200);
    }

    @Test
    void theNewPasswordMustPassThePolicy() {
        Api.TestTenant tenant = Api.newTenant(null);
        change(tenant.ownerToken(), Api.PASSWORD, "g00dPa$$w0rD").then().statusCode(422)
                .body("violations.rule", contains("breached")).body(not(containsString("g00dPa")));
    }

    @Test
    void theLastFivePasswordsCannotBeReusedButOlderOnesCan() {
        Api.TestTenant tenant = Api.newTenant(null);
        String email = tenant.ownerEmail();
        String current = Api.PASSWORD;
        for (int i = 1; i <= 5; i++) {
            String next = "Rotation-Passw0rd-#" + i;
            String token = login(email, current).then().statusCode(200).extract().path("accessToken");
            change(token, current, next).then().statusCode(204);
            current = next;
        }
        String token = login(email, current).then().statusCode(200).extract().path("accessToken");
        change(token, current, current).then().statusCode(422).body("violations.rule", contains("reused"));
        change(token, current, "Rotation-Passw0rd-#1").then().statusCode(422).body("violations.rule", contains("reused"));
        // The signup password is six passwords back: remembered no longer.
        change(token, current, Api.PASSWORD).then().statusCode(204);
        assertEquals(5, historyRows(tenant.ownerId()));
    }

    @Test
    void changingThePasswordEndsEveryOtherSessionAndKeepsThisOne() {
        Api.TestTenant tenant = Api.newTenant(null);
        Response here = login(tenant.ownerEmail(), Api.PASSWORD);
        Response elsewhere = login(tenant.ownerEmail(), Api.PASSWORD);
        String next = "Changed-Passw0rd-" + UUID.randomUUID().toString().substring(0, 6);
        change(here.path("accessToken"), Api.PASSWORD, next).then().statusCode(204);

        json().body(Map.of("refreshToken", elsewhere.path("refreshToken"))).post("/auth/refresh").then().statusCode(401);
        json().body(Map.of("refreshToken", here.path("refreshToken"))).post("/auth/refresh").then().statusCode(200);
        login(tenant.ownerEmail(), Api.PASSWORD).then().statusCode(401);
        login(tenant.ownerEmail(), next).then().statusCode(200);
    }

    @Test
    void everyCharacterOfALongPassphraseCounts() {
        // bcrypt alone reads 72 bytes: these two differ only after that.
        String prefix = "Long-Passphrase-9 ".repeat(5);
        Api.TestTenant tenant = Api.newTenant(null);
        String token = tenant.ownerToken();
        change(token, Api.PASSWORD, prefix + "ending one").then().statusCode(204);
        login(tenant.ownerEmail(), prefix + "ending two").then().statusCode(401);
        login(tenant.ownerEmail(), prefix + "ending one").then().statusCode(200);
    }

    @Test
    void productionRefusesWeakHashingSettings() {
        assertThrows(IllegalStateException.class, () -> PasswordHasher.requireProductionStrength(LaunchMode.NORMAL, 11));
        assertThrows(IllegalStateException.class, () -> PasswordHistory.requireProductionStrength(LaunchMode.NORMAL, 599_999));
        PasswordHasher.requireProductionStrength(LaunchMode.NORMAL, 12);
        PasswordHistory.requireProductionStrength(LaunchMode.NORMAL, 600_000);
        PasswordHasher.requireProductionStrength(LaunchMode.TEST, 4);
    }

    @Test
    void historyHashesArePbkdf2WithTheirOwnSalt() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select hash from tenancy.password_history where user_id = ?")) {
            st.setObject(1, tenant.ownerId());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                String record = rs.getString(1);
                assertEquals("pbkdf2-sha256", record.split("\\$")[0]);
                assertEquals(true, PasswordHistory.matches(Api.PASSWORD, record));
                assertEquals(false, PasswordHistory.matches(Api.PASSWORD + "x", record));
            }
        }
    }

    private static int historyRows(UUID userId) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select count(*) from tenancy.password_history where user_id = ?")) {
            st.setObject(1, userId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
