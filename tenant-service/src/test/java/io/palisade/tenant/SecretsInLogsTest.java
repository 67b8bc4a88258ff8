package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.palisade.tenant.mfa.Totp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every secret the service handles, driven through its flows with the service's own loggers at DEBUG: none of
 * them may appear in any log record (message, parameters or stack trace).
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SecretsInLogsTest {

    private static final class Capture extends Handler {
        final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    line.append(' ').append(p);
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(' ').append(trace);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void noSecretReachesTheLog() {
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        Logger palisade = Logger.getLogger("io.palisade");
        Level before = palisade.getLevel();
        root.addHandler(capture);
        palisade.setLevel(Level.FINEST);
        List<String> secrets = new ArrayList<>();
        try {
            Api.TestTenant tenant = Api.newTenant(null);
            secrets.add(Api.PASSWORD);
            Response login = Api.loginResponse(tenant.ownerEmail(), tenant.slug());
            String access = login.path("accessToken");
            secrets.add(login.path("refreshToken"));
            secrets.add(access.substring(access.lastIndexOf('.') + 1));

            String newPassword = "Log-Check-Passw0rd-" + UUID.randomUUID().toString().substring(0, 6);
            secrets.add(newPassword);
            bearer(access).body(Map.of("currentPassword", Api.PASSWORD, "newPassword", newPassword)).post("/account/password")
                    .then().statusCode(204);
            json().body(Map.of("email", tenant.ownerEmail(), "password", "Wrong-" + newPassword)).post("/auth/login").then().statusCode(401);
            secrets.add("Wrong-" + newPassword);

            String mfaSecret = bearer(access).post("/account/mfa/totp").then().statusCode(200).extract().path("secret");
            secrets.add(mfaSecret);
            List<String> recovery = bearer(access).body(Map.of("code", Totp.code(mfaSecret, Totp.step(Instant.now()))))
                    .post("/account/mfa/totp/confirm").then().statusCode(200).extract().path("recoveryCodes");
            secrets.addAll(recovery);

            String integrationValue = "sk_live_" + UUID.randomUUID();
            secrets.add(integrationValue);
            bearer(access).body(Map.of("value", integrationValue)).put("/integrations/hubspot/secrets/api_key").then().statusCode(200);

            String email = "log-guest-" + UUID.randomUUID() + "@example.net";
            json().body(Map.of("tenant", tenant.slug(), "email", email)).post("/guest/sign-in").then().statusCode(202);
            String link = MailDrop.latestLinkToken(email);
            secrets.add(link);
            secrets.add(email);
            json().body(Map.of("token", link)).post("/guest/sign-in/redeem").then().statusCode(200);
            json().body(Map.of("token", link)).post("/guest/sign-in/redeem").then().statusCode(401);
        } finally {
            root.removeHandler(capture);
            palisade.setLevel(before);
        }
        assertTrue(capture.lines.size() > 0, "nothing was logged at all: the capture is not working");
        List<String> leaks = new ArrayList<>();
        for (String line : capture.lines) {
            for (String secret : secrets) {
                if (line.contains(secret)) {
                    leaks.add(secret.substring(0, 4) + "… in: " + line.substring(0, Math.min(200, line.length())));
                }
            }
        }
        assertEquals(List.of(), leaks);
    }
}
