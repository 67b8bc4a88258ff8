package io.palisade.tenant.support;

import static io.palisade.tenant.Api.bearer;
import static io.palisade.tenant.Api.json;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api;
import io.palisade.tenant.TenantServiceStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/** Support access: no standing access, single-use short links, bounded sessions, the tenant in control, all audited. */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class SupportAccessTest {

    private static String requestLink(Api.PlatformAdmin platform, String slug) {
        return bearer(platform.token()).body(Map.of("tenant", slug, "reason", "ticket 4711: booking widget shows no slots"))
                .post("/platform/support-sessions").then().log().ifValidationFails().statusCode(201).extract().path("link");
    }

    /** Starts the session with the link and a fresh code from the admin's authenticator (step-up). */
    private static Response start(Api.PlatformAdmin platform, String link) {
        return bearer(platform.token()).body(Map.of("link", link, "code", platform.authenticator().nextCode()))
                .post("/platform/support-sessions/start");
    }

    /** Scopes the transaction as the platform admin acting in the tenant through the session, as tenant-service does. */
    private static void actInSupportSession(Statement st, UUID tenantId, UUID adminId, String sessionId) throws SQLException {
        st.execute("select set_config('app.tenant_id', '" + tenantId + "', true), set_config('app.user_id', '" + adminId
                + "', true), set_config('app.principal', 'support', true), set_config('app.support_session', '" + sessionId + "', true)");
    }

    private static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void withoutASessionAPlatformAdminSeesCountsAndNoTenantRows() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        bearer(platform.token()).get("/tenant").then().statusCode(403);
        bearer(platform.token()).get("/members").then().statusCode(403);
        bearer(platform.token()).get("/platform/overview").then().statusCode(200);
        UUID adminId = UUID.fromString(claims(platform.token()).getString("sub"));
        // Even a scope that claims support access finds nothing while no session runs.
        try (Connection c = PalisadeTestStack.get().connectAs("tenant_service"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("select set_config('app.tenant_id', '" + tenant.id() + "', true), set_config('app.user_id', '" + adminId
                    + "', true), set_config('app.principal', 'support', true)");
            try (ResultSet rs = st.executeQuery("select (select count(*) from tenancy.memberships), (select count(*) from tenancy.tenants)")) {
                rs.next();
                assertEquals(0, rs.getLong(1));
                assertEquals(0, rs.getLong(2));
            }
            c.rollback();
        }
        bearer(tenant.ownerToken()).get("/platform/overview").then().statusCode(403);
    }

    @Test
    void aSessionActsInOneTenantAndItsTokensSaySoAndLastAtMostThirtyMinutes() {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.TestTenant other = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response started = start(platform, requestLink(platform, tenant.slug()));
        started.then().statusCode(200);
        String support = started.path("accessToken");
        JsonObject claims = claims(support);
        String adminId = claims(platform.token()).getString("sub");
        assertEquals(tenant.id().toString(), claims.getString("tid"));
        assertEquals("support", claims.getString("pty"));
        assertEquals(adminId, claims.getJsonObject("act").getString("sub"));
        assertEquals(started.path("sessionId").toString(), claims.getJsonObject("imp").getString("session"));
        long endsAt = claims.getJsonObject("imp").getLong("endsAt");
        assertTrue(endsAt - claims.getLong("iat") <= 30 * 60 && endsAt - claims.getLong("iat") >= 30 * 60 - 5);
        assertTrue(claims.getLong("exp") <= endsAt);

        bearer(support).get("/members").then().statusCode(200).body("items.userId", hasItem(tenant.ownerId().toString()))
                .body("items.userId", not(hasItem(other.ownerId().toString())));
        bearer(support).get("/members/" + other.ownerId()).then().statusCode(404);

        String renewed = bearer(platform.token()).post("/platform/support-sessions/" + started.path("sessionId") + "/token")
                .then().statusCode(200).extract().path("accessToken");
        bearer(renewed).get("/tenant").then().statusCode(200).body("id", equalTo(tenant.id().toString()));
        // Support access acts in the tenant, never on the admin's own account.
        bearer(support).get("/account/mfa").then().statusCode(403);
    }

    @Test
    void theLinkWorksOnceForfiveMinutesAndOnlyForItsRequester() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        String link = requestLink(platform, tenant.slug());
        start(platform, link).then().statusCode(200);
        start(platform, link).then().statusCode(401);

        // Each start takes a fresh authenticator code; a second admin saves this test waiting for the next time step.
        Api.PlatformAdmin second = Api.newPlatformAdmin();
        String expiring = requestLink(second, tenant.slug());
        superuser("update tenancy.support_sessions set link_expires_at = now() - interval '1 second' where tenant_id = ? and started_at is null",
                tenant.id());
        start(second, expiring).then().statusCode(401);

        // Another platform admin cannot redeem it.
        String link2 = requestLink(second, tenant.slug());
        start(Api.newPlatformAdmin(), link2).then().statusCode(401);
        start(second, link2).then().statusCode(200);
        // Only platform admins may ask at all.
        bearer(tenant.ownerToken()).body(Map.of("tenant", tenant.slug(), "reason", "x")).post("/platform/support-sessions").then().statusCode(403);
    }

    @Test
    void theTenantListsRunningSessionsAndEndsThemAtOnce() {
        Api.TestTenant tenant = Api.newTenant("MEMBERS_MANAGE");
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response started = start(platform, requestLink(platform, tenant.slug()));
        String support = started.path("accessToken");
        String sessionId = started.path("sessionId");
        String owner = tenant.ownerToken();
        bearer(owner).get("/support-sessions").then().statusCode(200).body("id", hasItem(sessionId));
        bearer(tenant.staffToken()).get("/support-sessions").then().statusCode(403);

        bearer(owner).delete("/support-sessions/" + sessionId).then().statusCode(200).body("endReason", equalTo("ended_by_tenant"));
        // The support token is still a valid JWT, but the database no longer admits it.
        bearer(support).get("/tenant").then().statusCode(404);
        bearer(support).get("/members").then().statusCode(200).body("items", org.hamcrest.Matchers.empty());
        bearer(platform.token()).post("/platform/support-sessions/" + sessionId + "/token").then().statusCode(404);
        bearer(owner).delete("/support-sessions/" + sessionId).then().statusCode(404);
    }

    @Test
    void sessionsEndWhenTheirTimeIsUp() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response started = start(platform, requestLink(platform, tenant.slug()));
        String support = started.path("accessToken");
        superuser("update tenancy.support_sessions set expires_at = now() - interval '1 second' where tenant_id = ? and started_at is not null",
                tenant.id());
        // Refused at once: 404 while the session is over but not yet ended (the scope sees no tenant), 401 once the
        // expiry check (every second here) has ended it and revoked the token.
        bearer(support).get("/tenant").then().statusCode(anyOf(equalTo(404), equalTo(401)));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!auditPhases(tenant.id()).contains("ended") && System.nanoTime() < deadline) {
            sleep(200);
        }
        assertEquals(List.of("requested", "started", "token_issued", "ended"), auditPhases(tenant.id()));
    }

    @Test
    void everyStepIsAnImpersonationEventInTheTenantsOwnLog() {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response started = start(platform, requestLink(platform, tenant.slug()));
        bearer(platform.token()).post("/platform/support-sessions/" + started.path("sessionId") + "/token").then().statusCode(200);
        bearer(tenant.ownerToken()).delete("/support-sessions/" + started.path("sessionId")).then().statusCode(200);
        assertEquals(List.of("requested", "started", "token_issued", "token_issued", "ended"), auditPhases(tenant.id()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSessionCannotLeaveStandingAccessBehind() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response started = start(platform, requestLink(platform, tenant.slug()));
        String support = started.path("accessToken");
        bearer(support).body(Map.of("email", "backdoor@example.com", "role", "staff")).post("/invitations").then().statusCode(403);
        bearer(support).body(Map.of("status", "suspended")).patch("/members/" + tenant.staffId()).then().statusCode(403);
        // Read-mostly: no money, no webhooks, no cancellations, no members or settings.
        assertEquals(io.palisade.common.tenancy.Permission.BOOKINGS_READ.bit() | io.palisade.common.tenancy.Permission.BOOKINGS_WRITE.bit()
                | io.palisade.common.tenancy.Permission.CATALOG_MANAGE.bit() | io.palisade.common.tenancy.Permission.AUDIT_READ.bit(),
                claims(support).getLong("perm"));
        // And the database refuses it too, whatever the application would do.
        UUID adminId = UUID.fromString(claims(platform.token()).getString("sub"));
        try (Connection c = PalisadeTestStack.get().connectAs("tenant_service"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            actInSupportSession(st, tenant.id(), adminId, started.path("sessionId"));
            try (ResultSet rs = st.executeQuery("select count(*) from tenancy.memberships")) {
                rs.next();
                assertTrue(rs.getLong(1) > 0, "the running session reads the tenant's rows");
            }
            org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.execute(
                    "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values ('" + tenant.id() + "', '"
                            + adminId + "', 'admin', 0)"));
            c.rollback();
            // Nor an identity provider, an integration secret or a data key: each would outlive the session.
            for (String write : List.of(
                    "insert into tenancy.sso_providers (tenant_id, issuer, client_id, client_secret_sealed, updated_by) values ('" + tenant.id()
                            + "', 'https://idp.attacker.example', 'palisade', 'x', '" + adminId + "')",
                    "insert into tenancy.tenant_data_keys (tenant_id, version, wrapped_key) values ('" + tenant.id() + "', 99, 'x')")) {
                actInSupportSession(st, tenant.id(), adminId, started.path("sessionId"));
                SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.execute(write), write);
                assertEquals("42501", refused.getSQLState(), write);
                c.rollback();
            }
        }
    }

    @Test
    void theDatabaseShowsAnAdminTheirOwnSessionsAloneAndKeepsTheirTerms() throws SQLException {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Api.PlatformAdmin other = Api.newPlatformAdmin();
        String sessionId = start(platform, requestLink(platform, tenant.slug())).path("sessionId");
        requestLink(platform, tenant.slug()); // a second one, asked for and not started
        String pending = "tenant_id = '" + tenant.id() + "' and started_at is null";
        try (Connection c = PalisadeTestStack.get().connectAs("tenant_service"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            scope(st, null, platform.userId());
            assertEquals(2, count(st, "select count(*) from tenancy.support_sessions where tenant_id = '" + tenant.id() + "'"), "their own");
            // A started session is not started again, not even by its admin.
            assertEquals(0, st.executeUpdate("update tenancy.support_sessions set started_at = now(), expires_at = now() + interval '30 minutes'"
                    + " where id = '" + sessionId + "'"));
            c.rollback();

            scope(st, null, other.userId());
            assertEquals(0, count(st, "select count(*) from tenancy.support_sessions where tenant_id = '" + tenant.id() + "'"),
                    "another platform admin sees none of them");
            assertEquals(0, st.executeUpdate("update tenancy.support_sessions set started_at = now(), expires_at = now() where " + pending));
            c.rollback();

            // Only a platform admin asks, and only for themselves.
            scope(st, null, tenant.ownerId());
            assertRefused(c, st, "insert into tenancy.support_sessions (id, tenant_id, platform_admin_id, reason, link_hash, link_expires_at)"
                    + " values (gen_random_uuid(), '" + tenant.id() + "', '" + tenant.ownerId() + "', 'x', 'h" + UUID.randomUUID() + "', now())");
            scope(st, null, other.userId());
            assertRefused(c, st, "insert into tenancy.support_sessions (id, tenant_id, platform_admin_id, reason, link_hash, link_expires_at)"
                    + " values (gen_random_uuid(), '" + tenant.id() + "', '" + platform.userId() + "', 'x', 'h" + UUID.randomUUID() + "', now())");

            // The session in the tenant cannot lengthen itself, nor can the tenant's owner start the pending one for the admin.
            actInSupportSession(st, tenant.id(), platform.userId(), sessionId);
            assertRefused(c, st, "update tenancy.support_sessions set expires_at = expires_at + interval '1 hour' where id = '" + sessionId + "'");
            actInSupportSession(st, tenant.id(), platform.userId(), sessionId);
            assertRefused(c, st, "update tenancy.support_sessions set started_at = now(), expires_at = now() + interval '30 minutes'"
                    + " where id = '" + sessionId + "'");
            scope(st, tenant.id(), tenant.ownerId());
            assertRefused(c, st, "update tenancy.support_sessions set started_at = now(), expires_at = now() + interval '30 minutes' where " + pending);
        }
    }

    @Test
    void aTokenWorksOnlyWithItsOwnSession() {
        Api.TestTenant tenant = Api.newTenant(null);
        Api.PlatformAdmin platform = Api.newPlatformAdmin();
        Response first = start(platform, requestLink(platform, tenant.slug()));
        bearer(tenant.ownerToken()).delete("/support-sessions/" + first.path("sessionId")).then().statusCode(200);
        Response second = start(platform, requestLink(platform, tenant.slug()));
        bearer(second.path("accessToken").toString()).get("/tenant").then().statusCode(200);
        // The ended session's token stays dead while another session of the same admin runs.
        bearer(first.path("accessToken").toString()).get("/tenant").then().statusCode(404);
    }

    private static List<String> auditPhases(UUID tenantId) {
        List<String> phases = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser();
                PreparedStatement st = c.prepareStatement("select data->'details'->>'phase', data->'actor'->>'impersonatorId'"
                        + " from tenancy.outbox where stream = 'audit' and tenant_id = ? and type = 'platform.impersonate_tenant' order by seq")) {
            st.setObject(1, tenantId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    phases.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return phases;
    }

    /** Moves a session's clock as time would: past the trigger that keeps its terms from callers (replica mode skips it). */
    private static void superuser(String sql, UUID id) throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(sql)) {
            c.createStatement().execute("set session_replication_role = replica");
            st.setObject(1, id);
            st.executeUpdate();
        }
    }

    private static void scope(Statement st, UUID tenantId, UUID userId) throws SQLException {
        st.execute("select set_config('app.tenant_id', '" + (tenantId == null ? "" : tenantId.toString()) + "', true),"
                + " set_config('app.user_id', '" + userId + "', true), set_config('app.principal', 'staff', true)");
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertRefused(Connection c, Statement st, String sql) throws SQLException {
        SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.executeUpdate(sql), sql);
        assertEquals("42501", refused.getSQLState(), refused.getMessage());
        c.rollback();
    }
}
