package io.palisade.tenant.lockout;

import static io.palisade.tenant.Api.jsonFrom;
import static io.palisade.tenant.Api.randomClientAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestAuthenticator;
import io.palisade.tenant.Api;
import io.palisade.tenant.MailDrop;
import io.palisade.tenant.TenantServiceStack;
import io.palisade.tenant.passwords.PasswordHasher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Login lockout per identifier and per client address, with growing locks, state in PostgreSQL, every
 * failure and lock audited, and no way to tell a locked account from a wrong password.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class LockoutTest {

    @Inject
    LoginThrottle throttle;

    @Inject
    PasswordHasher hasher;

    private static Response login(String email, String password, String from) {
        return jsonFrom(from).body(Map.of("email", email, "password", password)).post("/auth/login");
    }

    private static String newAccount() {
        return Api.newTenant(null).ownerEmail();
    }

    @Test
    void fiveFailuresLockTheIdentifierEvenForTheRightPasswordFromAnyAddress() {
        String email = newAccount();
        for (int i = 0; i < 5; i++) {
            login(email, "Wrong-Passw0rd-" + i, randomClientAddress()).then().statusCode(401);
        }
        Response locked = login(email, Api.PASSWORD, randomClientAddress());
        Response wrong = login(newAccount(), "Wrong-Passw0rd-x", randomClientAddress());
        assertEquals(401, locked.statusCode());
        assertEquals(wrong.asString(), locked.asString(), "a locked account must answer exactly like a wrong password");
        assertEquals(wrong.contentType(), locked.contentType());
        // Other accounts from the same addresses are unaffected.
        login(newAccount(), Api.PASSWORD, randomClientAddress()).then().statusCode(200);
    }

    private static void lock(String email) {
        for (int i = 0; i < 5; i++) {
            login(email, "Wrong-Passw0rd-" + i, randomClientAddress()).then().statusCode(401);
        }
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(401);
    }

    private static Response unlockedLogin(String email, String password, String code) {
        return jsonFrom(randomClientAddress()).body(Map.of("email", email, "password", password, "unlockToken", code)).post("/auth/login");
    }

    /** The unlock code in the newest "Your account is locked" mail to the address. */
    private static String unlockCode(String email) {
        List<io.vertx.core.json.JsonObject> mails = MailDrop.to(email).stream().filter(m -> m.getString("subject").contains("locked")).toList();
        assertTrue(!mails.isEmpty(), "an unlock mail to " + email);
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("\\n\\n([A-Za-z0-9_-]{40,})\\n").matcher(mails.get(mails.size() - 1).getString("text"));
        assertTrue(code.find(), "a code in the mail");
        return code.group(1);
    }

    @Test
    void theMailboxOwnerSignsInPastTheIdentifiersLockWithAnUnlockLink() {
        String email = newAccount();
        lock(email);
        jsonFrom(randomClientAddress()).body(Map.of("email", email)).post("/auth/unlock").then().statusCode(202);
        String code = unlockCode(email);
        // The code is no password: a wrong password with it fails, and the lock stays for everyone else.
        unlockedLogin(email, "Wrong-Passw0rd-x", code).then().statusCode(401);
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(401);
        unlockedLogin(email, Api.PASSWORD, code).then().statusCode(200);
        // The sign-in lifted the lock and spent the link.
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(200);
        lock(email);
        unlockedLogin(email, Api.PASSWORD, code).then().statusCode(401);
    }

    @Test
    void withAnAuthenticatorTheSecondFactorIsCheckedPastTheLockToo() {
        Api.TestTenant tenant = Api.newTenant(null);
        String owner = tenant.ownerToken();
        TestAuthenticator authenticator = new TestAuthenticator(Api.bearer(owner).post("/account/mfa/totp").then().statusCode(200)
                .extract().path("secret"));
        Api.bearer(owner).body(Map.of("code", authenticator.nextCode())).post("/account/mfa/totp/confirm").then().statusCode(200);
        lock(tenant.ownerEmail());
        jsonFrom(randomClientAddress()).body(Map.of("email", tenant.ownerEmail())).post("/auth/unlock").then().statusCode(202);
        String mfaToken = unlockedLogin(tenant.ownerEmail(), Api.PASSWORD, unlockCode(tenant.ownerEmail())).then().statusCode(200)
                .extract().path("mfaToken");
        jsonFrom(randomClientAddress()).body(Map.of("mfaToken", mfaToken, "code", authenticator.nextCode())).post("/auth/mfa")
                .then().statusCode(200);
    }

    @Test
    void anUnlockLinkNeverPassesTheAddressLockNorServesAnotherEmail() {
        String email = newAccount();
        String other = newAccount();
        lock(email);
        lock(other);
        jsonFrom(randomClientAddress()).body(Map.of("email", email)).post("/auth/unlock").then().statusCode(202);
        String code = unlockCode(email);
        unlockedLogin(other, Api.PASSWORD, code).then().statusCode(401);
        String address = randomClientAddress();
        for (int i = 0; i < 20; i++) {
            login("spray-" + i + "-" + UUID.randomUUID() + "@example.com", "Spray-Passw0rd-1!", address).then().statusCode(401);
        }
        jsonFrom(address).body(Map.of("email", email, "password", Api.PASSWORD, "unlockToken", code)).post("/auth/login").then().statusCode(401);
    }

    @Test
    void askingForAnUnlockLinkRevealsNothingAndMailsOnlyALockedAccount() {
        String unlocked = newAccount();
        String unknown = "nobody-" + UUID.randomUUID() + "@example.com";
        lock(unknown);
        Response forUnlocked = jsonFrom(randomClientAddress()).body(Map.of("email", unlocked)).post("/auth/unlock");
        Response forUnknown = jsonFrom(randomClientAddress()).body(Map.of("email", unknown)).post("/auth/unlock");
        assertEquals(202, forUnlocked.statusCode());
        assertEquals(forUnlocked.asString(), forUnknown.asString());
        assertEquals(List.of(), MailDrop.to(unlocked).stream().filter(m -> m.getString("subject").contains("locked")).toList());
        assertEquals(List.of(), MailDrop.to(unknown));
        // At most three links per link lifetime: a lock is no way to flood a mailbox.
        String flooded = newAccount();
        lock(flooded);
        for (int i = 0; i < 5; i++) {
            jsonFrom(randomClientAddress()).body(Map.of("email", flooded)).post("/auth/unlock").then().statusCode(202);
        }
        assertEquals(3, MailDrop.to(flooded).stream().filter(m -> m.getString("subject").contains("locked")).count());
    }

    @Test
    void unknownEmailsLockLikeKnownOnes() throws SQLException {
        String unknown = "nobody-" + UUID.randomUUID() + "@example.com";
        for (int i = 0; i < 6; i++) {
            login(unknown, "Wrong-Passw0rd-" + i, randomClientAddress()).then().statusCode(401);
        }
        assertTrue(lockedUntil("email", throttle.identifier(unknown)) != null);
    }

    @Test
    void twentyFailuresLockTheClientAddressForEveryAccount() {
        String address = randomClientAddress();
        for (int i = 0; i < 20; i++) {
            login("spray-" + i + "-" + UUID.randomUUID() + "@example.com", "Spray-Passw0rd-1!", address).then().statusCode(401);
        }
        String email = newAccount();
        login(email, Api.PASSWORD, address).then().statusCode(401);
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(200);
    }

    @Test
    void eachLockIsTwiceAsLongAsTheOneBefore() throws SQLException {
        String email = newAccount();
        String key = throttle.identifier(email);
        for (int strike = 1; strike <= 3; strike++) {
            for (int i = 0; i < 5; i++) {
                login(email, "Wrong-Passw0rd-" + i, randomClientAddress()).then().statusCode(401);
            }
            // The next attempt finds the limit reached: it is refused and locks the identifier.
            login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(401);
            Duration lock = lockLength(key);
            assertEquals(Duration.ofMinutes(1L << (strike - 1)).toSeconds(), lock.toSeconds(), "lock " + strike);
            // The lock runs out (as time would pass).
            superuser("update tenancy.login_locks set locked_until = now() - interval '1 second' where kind = 'email' and key = ?", key);
            login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(200);
        }
    }

    @Test
    void failuresRecordedByAnotherInstanceCount() throws SQLException {
        // Another instance of the service writes the same tables: its failures count here.
        String email = newAccount();
        String key = throttle.identifier(email);
        for (int i = 0; i < 4; i++) {
            superuser("insert into tenancy.login_failures (kind, key) values ('email', ?)", key);
        }
        login(email, "Wrong-Passw0rd-1!", randomClientAddress()).then().statusCode(401);
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(401);
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() throws SQLException {
        String email = newAccount();
        String key = throttle.identifier(email);
        for (int i = 0; i < 4; i++) {
            superuser("insert into tenancy.login_failures (kind, key, failed_at) values ('email', ?, now() - interval '16 minutes')", key);
        }
        login(email, "Wrong-Passw0rd-1!", randomClientAddress()).then().statusCode(401);
        login(email, Api.PASSWORD, randomClientAddress()).then().statusCode(200);
    }

    @Test
    void everyFailureAndLockIsAnAuditEvent() throws SQLException {
        String email = newAccount();
        String key = throttle.identifier(email);
        String address = randomClientAddress();
        for (int i = 0; i < 6; i++) {
            login(email, "Wrong-Passw0rd-" + i, address).then().statusCode(401);
        }
        List<String> actions = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select type, data->'details'->>'reason', data->'actor'->>'clientIp'"
                        + " from tenancy.outbox where stream = 'audit' and tenant_id is null"
                        + " and (data->'details'->>'identifier' = ? or subject = ?) order by seq")) {
            st.setString(1, key);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    actions.add(rs.getString(1) + (rs.getString(2) == null ? "" : ":" + rs.getString(2)));
                    assertEquals(address, rs.getString(3));
                }
            }
        }
        assertEquals(List.of("auth.login_failed:bad_credentials", "auth.login_failed:bad_credentials",
                "auth.login_failed:bad_credentials", "auth.login_failed:bad_credentials", "auth.login_failed:bad_credentials",
                "auth.locked", "auth.login_failed:locked"), actions);
    }

    /**
     * The same work on every path, counted rather than timed (a timing ratio fails on a busy machine): a wrong
     * password, a locked account and an unknown email each spend exactly one bcrypt verification and record one
     * failed attempt.
     */
    @Test
    void aLockedAccountCostsTheSameWorkAsAWrongPassword() {
        String email = newAccount();
        assertEquals(1, verificationsFor(() -> login(email, "Wrong-Passw0rd-" + UUID.randomUUID(), randomClientAddress())),
                "a wrong password");
        String lockedEmail = newAccount();
        for (int i = 0; i < 5; i++) {
            login(lockedEmail, "Wrong-Passw0rd-" + i, randomClientAddress());
        }
        String lockedFrom = randomClientAddress();
        assertEquals(1, verificationsFor(() -> login(lockedEmail, Api.PASSWORD, lockedFrom)), "a locked account");
        String unknownFrom = randomClientAddress();
        assertEquals(1, verificationsFor(() -> login("nobody-" + UUID.randomUUID() + "@example.com", Api.PASSWORD, unknownFrom)),
                "an unknown email");
        assertEquals(1, failuresRecordedFrom(lockedFrom), "the locked attempt is recorded as one failure");
        assertEquals(1, failuresRecordedFrom(unknownFrom), "the unknown email is recorded as one failure");
    }

    private static long failuresRecordedFrom(String address) {
        return PalisadeTestStack.get().count("select count(*) from tenancy.outbox where stream = 'audit' and type = 'auth.login_failed'"
                + " and data->'actor'->>'clientIp' = ?", address);
    }

    private long verificationsFor(Runnable request) {
        long before = hasher.verifications();
        request.run();
        return hasher.verifications() - before;
    }

    @Test
    void acceptingAnInvitationIsNoWayAroundTheLockout() {
        Api.TestTenant victim = Api.newTenant(null);
        Api.TestTenant attacker = Api.newTenant(null);
        String invitation = Api.bearer(attacker.ownerToken()).body(Map.of("email", victim.ownerEmail(), "role", "staff"))
                .post("/invitations").then().statusCode(201).extract().path("acceptToken");
        for (int i = 0; i < 5; i++) {
            jsonFrom(randomClientAddress()).body(Map.of("token", invitation, "password", "Guess-Passw0rd-" + i))
                    .post("/invitations/accept").then().statusCode(401);
        }
        // The right password no longer helps: the identifier is locked, for the invitation as for login.
        jsonFrom(randomClientAddress()).body(Map.of("token", invitation, "password", Api.PASSWORD)).post("/invitations/accept")
                .then().statusCode(401);
        login(victim.ownerEmail(), Api.PASSWORD, randomClientAddress()).then().statusCode(401);
    }

    @Test
    void concurrentAttemptsCannotSlipPastTheLimit() throws Exception {
        String email = newAccount();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                answers.add(pool.submit(() -> login(email, "Burst-Passw0rd-" + n, randomClientAddress()).statusCode()));
            }
            for (var answer : answers) {
                assertEquals(401, answer.get());
            }
        } finally {
            pool.shutdown();
        }
        // Only five of the burst were ever checked against the password: the others were refused unseen.
        long checked = countAudit(throttle.identifier(email), "bad_credentials");
        assertEquals(5, checked);
    }

    private static long countAudit(String identifier, String reason) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select count(*) from tenancy.outbox where stream = 'audit'"
                        + " and type = 'auth.login_failed' and data->'details'->>'identifier' = ? and data->'details'->>'reason' = ?")) {
            st.setString(1, identifier);
            st.setString(2, reason);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static java.time.OffsetDateTime lockedUntil(String kind, String key) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select locked_until from tenancy.login_locks where kind = ? and key = ?")) {
            st.setString(1, kind);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getObject(1, java.time.OffsetDateTime.class) : null;
            }
        }
    }

    private static Duration lockLength(String key) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select extract(epoch from locked_until - last_locked_at)::bigint"
                        + " from tenancy.login_locks where kind = 'email' and key = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Duration.ofSeconds(rs.getLong(1));
            }
        }
    }

    private static void superuser(String sql, String key) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, key);
            st.executeUpdate();
        }
    }
}
