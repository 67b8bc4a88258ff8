package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.tenant.Api.TestTenant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Plain SQL as tenant-service's own database role, bypassing all application code: what the database alone
 * lets through. Every tenant-scoped table of the tenancy schema is checked.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class DatabaseIsolationTest {

    private static final List<String> TENANT_TABLES = List.of("tenancy.tenants", "tenancy.memberships", "tenancy.invitations",
            "tenancy.refresh_tokens", "tenancy.outbox");

    static TestTenant a;
    static TestTenant b;

    @BeforeEach
    void tenants() {
        if (a == null) {
            a = Api.newTenant(null);
            b = Api.newTenant(null);
            bearer(a.ownerToken()).body(Map.of("email", "pending@" + a.slug() + ".example", "role", "staff")).post("/invitations")
                    .then().statusCode(201);
        }
    }

    @Test
    void withoutContextEveryTenantTableIsEmpty() throws SQLException {
        try (Connection c = app()) {
            for (String table : TENANT_TABLES) {
                assertEquals(0, count(c, table), table + " without a tenant in scope");
            }
        }
    }

    @Test
    void anActiveMemberSeesExactlyTheOwnTenant() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), a.ownerId());
            assertEquals(1, count(c, "tenancy.tenants"));
            assertEquals(2, count(c, "tenancy.memberships"));
            assertEquals(2, count(c, "tenancy.invitations"), "the staff member's accepted one and the pending one");
            assertEquals(0, countWhere(c, "tenancy.memberships", "tenant_id <> '" + a.id() + "'"));
            c.rollback();
        }
    }

    @Test
    void aNonMemberWithTenantAsIdSeesNothingAndWritesNothing() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), b.ownerId());
            for (String table : TENANT_TABLES) {
                assertEquals(0, count(c, table), table + " for a member of another tenant");
            }
            assertEquals(0, update(c, "update tenancy.memberships set status = 'suspended' where tenant_id = '" + a.id() + "'"));
            assertEquals(0, update(c, "update tenancy.tenants set name = 'taken over'"));
            assertEquals(0, update(c, "update tenancy.invitations set revoked_at = now()"));
            assertRefused(c, "insert into tenancy.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at)"
                    + " values (gen_random_uuid(), '" + a.id() + "', 'evil@example.com', 'staff', 'h" + UUID.randomUUID()
                    + "', '" + b.ownerId() + "', now() + interval '1 day')");
            assertRefused(c, "insert into tenancy.memberships (tenant_id, user_id, role) values ('" + a.id() + "', '" + b.ownerId()
                    + "', 'owner')");
        }
    }

    @Test
    void suspendedAndRemovedMembersSeeNothing() throws SQLException {
        TestTenant t = Api.newTenant(null);
        String owner = t.ownerToken();
        bearer(owner).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, t.id(), t.staffId());
            for (String table : TENANT_TABLES) {
                assertEquals(0, count(c, table), table + " for a suspended member");
            }
            c.rollback();
        }
        bearer(owner).delete("/members/" + t.staffId()).then().statusCode(204);
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, t.id(), t.staffId());
            for (String table : TENANT_TABLES) {
                assertEquals(0, count(c, table), table + " for a removed member");
            }
            assertEquals(0, update(c, "update tenancy.memberships set status = 'active'"));
            c.rollback();
        }
        // And the API agrees: the removed staff member can no longer sign in to that tenant.
        Api.loginResponse(t.staffEmail(), t.slug()).then().statusCode(422);
    }

    @Test
    void onlyItsFounderBecomesANewTenantsFirstOwnerAndOnlyInTheFoundingTransaction() throws SQLException {
        UUID tenant = UUID.randomUUID();
        String insertTenant = "insert into tenancy.tenants (id, slug, name, founded_by) values ('" + tenant + "', 'founded-"
                + tenant.toString().substring(0, 8) + "', 'Founded', '%s')";
        String insertOwner = "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values ('" + tenant + "', '%s', 'owner', 0)";
        try (Connection c = app()) {
            c.setAutoCommit(false);
            signingUp(c, tenant, b.ownerId());
            assertRefused(c, insertTenant.formatted(a.ownerId()));
            signingUp(c, tenant, b.ownerId());
            update(c, insertTenant.formatted(b.ownerId()));
            assertEquals(1, count(c, "tenancy.tenants"), "its founding transaction reads it");
            assertRefused(c, insertOwner.formatted(a.ownerId()));
            signingUp(c, tenant, b.ownerId());
            update(c, insertTenant.formatted(b.ownerId()));
            c.commit();
            // Later, without members still, neither its founder nor anyone else becomes its owner, or reads it.
            signingUp(c, tenant, b.ownerId());
            assertEquals(0, count(c, "tenancy.tenants"));
            assertRefused(c, insertOwner.formatted(b.ownerId()));
            scope(c, tenant, a.ownerId());
            assertRefused(c, insertOwner.formatted(a.ownerId()));
            // Nor can members rewrite who founded a tenant, or when.
            scope(c, a.id(), a.ownerId());
            assertRefused(c, "update tenancy.tenants set founded_by = '" + a.ownerId() + "', created_at = now()");
        }
    }

    @Test
    void aUsersOwnScopeReadsTheirTenantsToChooseFromAndNothingElse() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            ownScope(c, a.ownerId());
            assertEquals(1, count(c, "tenancy.tenants"), "the one tenant they are a member of");
            assertEquals(0, countWhere(c, "tenancy.tenants", "id <> '" + a.id() + "'"));
            assertEquals(1, count(c, "tenancy.memberships"), "their own membership, not their staff member's");
            assertEquals(0, count(c, "tenancy.invitations"));
            assertEquals(0, update(c, "update tenancy.tenants set name = 'renamed'"), "reading is all it may do");
            assertEquals(0, update(c, "update tenancy.memberships set role = 'owner'"));
            c.rollback();
        }
        TestTenant t = Api.newTenant(null);
        bearer(t.ownerToken()).body(Map.of("status", "suspended")).patch("/members/" + t.staffId()).then().statusCode(200);
        try (Connection c = app()) {
            c.setAutoCommit(false);
            ownScope(c, t.staffId());
            assertEquals(0, count(c, "tenancy.tenants"), "a suspended member has no tenant to choose");
            c.rollback();
        }
    }

    @Test
    void aUsersOwnScopeEndsTheirSessionsInEveryTenantAndNothingElse() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            ownScope(c, a.ownerId());
            assertTrue(count(c, "tenancy.refresh_tokens") > 0, "their own sessions, from signing in");
            assertEquals(0, countWhere(c, "tenancy.refresh_tokens", "user_id <> '" + a.ownerId() + "'"), "nobody else's");
            assertEquals(0, update(c, "update tenancy.refresh_tokens set revoked_at = now() where user_id = '" + b.ownerId() + "'"));
            // Ending is all it may do: a session is never revived, nor lengthened.
            assertRefused(c, "update tenancy.refresh_tokens set expires_at = now() + interval '10 years'");
            ownScope(c, a.ownerId()); // assertRefused rolled the transaction back, and the scope with it
            assertTrue(update(c, "update tenancy.refresh_tokens set revoked_at = now()") > 0);
            assertRefused(c, "update tenancy.refresh_tokens set revoked_at = null");
            c.rollback();
        }
        try (Connection c = app()) {
            c.setAutoCommit(false);
            // In a tenant, the user sees only what the membership gives: not their sessions elsewhere.
            scope(c, a.id(), a.ownerId());
            assertEquals(0, countWhere(c, "tenancy.refresh_tokens", "tenant_id <> '" + a.id() + "'"));
            c.rollback();
        }
    }

    @Test
    void onlyAnOwnerOrAdminEndsAnotherMembersSessionsAndOnlyByRevokingThem() throws SQLException {
        a.staffToken(); // a session of the staff member's
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), a.staffId());
            assertEquals(0, update(c, "update tenancy.refresh_tokens set revoked_at = now() where user_id = '" + a.ownerId() + "'"),
                    "a staff member cannot end the owner's sessions");
            c.rollback();
        }
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), a.ownerId());
            assertTrue(countWhere(c, "tenancy.refresh_tokens", "user_id = '" + a.staffId() + "'") > 0, "the owner sees the staff member's sessions");
            assertRefused(c, "update tenancy.refresh_tokens set expires_at = now() + interval '10 years' where user_id = '" + a.staffId() + "'");
            scope(c, a.id(), a.ownerId()); // assertRefused rolled the transaction back, and the scope with it
            assertTrue(update(c, "update tenancy.refresh_tokens set revoked_at = now() where user_id = '" + a.staffId() + "'") > 0);
            assertEquals(0, update(c, "update tenancy.refresh_tokens set revoked_at = now() where tenant_id <> '" + a.id() + "'"),
                    "and nothing in another tenant");
            c.rollback();
        }
    }

    @Test
    void writingAnotherTenantsIdIsRefusedByTheDatabase() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, b.id(), b.ownerId());
            assertRefused(c, "insert into tenancy.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at)"
                    + " values (gen_random_uuid(), '" + a.id() + "', 'x@example.com', 'staff', 'h" + UUID.randomUUID() + "', '"
                    + b.ownerId() + "', now() + interval '1 day')");
        }
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, b.id(), b.ownerId());
            assertRefused(c, "update tenancy.memberships set tenant_id = '" + a.id() + "' where user_id = '" + b.staffId() + "'");
        }
    }

    @Test
    void theAppRoleCannotMakeAnyonePlatformAdmin() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), a.ownerId());
            assertRefused(c, "update tenancy.users set platform_admin = true where id = '" + a.ownerId() + "'");
            assertRefused(c, "insert into tenancy.users (id, email, display_name, password_hash, platform_admin)"
                    + " values ('" + a.ownerId() + "', 'x@example.com', 'x', 'x', true)");
            // Nor may the serving role call the bootstrap helper: only the migration run, as the schema owner, does.
            assertRefused(c, "select tenancy.ensure_platform_admin(gen_random_uuid(), 'second-admin@example.com', 'x', 'x', 'x')");
            c.rollback();
        }
    }

    @Test
    void scopeDoesNotOutliveItsTransaction() throws SQLException {
        try (Connection c = app()) {
            c.setAutoCommit(false);
            scope(c, a.id(), a.ownerId());
            assertEquals(2, count(c, "tenancy.memberships"));
            c.commit();
            assertEquals(0, count(c, "tenancy.memberships"), "the next transaction on the same connection");
            c.commit();
        }
    }

    @Test
    void signInTakesTheCallerFromTheScopeAndAnInviteeOnlyTheirOwnInvitation() throws SQLException {
        TestTenant inviting = Api.newTenant(null);
        String token = bearer(inviting.ownerToken()).body(Map.of("email", "invitee-" + UUID.randomUUID() + "@example.org", "role", "admin"))
                .post("/invitations").then().statusCode(201).extract().path("acceptToken");
        String hash = io.palisade.common.crypto.Hashes.sha256Hex(token);
        try (Connection c = app()) {
            c.setAutoCommit(false);
            assertEquals("0", single(c, "select count(*)::text from tenancy.sso_member('https://idp.example', 'sub', '" + inviting.ownerEmail() + "')"),
                    "no tenant in scope: no member found");
            // Scoped as an invitee of the inviting tenant without its token, B's owner sees no invitation of it.
            invitee(c, inviting.id(), b.ownerId(), "");
            assertEquals(0, count(c, "tenancy.invitations"));
            // Even holding the token of one made out to another email, they may read it but not take it.
            invitee(c, inviting.id(), b.ownerId(), hash);
            assertEquals(1, count(c, "tenancy.invitations"));
            assertEquals(0, update(c, "update tenancy.invitations set accepted_at = now(), accepted_by = '" + b.ownerId() + "'"));
            assertRefused(c, "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values ('" + inviting.id() + "', '"
                    + b.ownerId() + "', 'admin', 0)");
            // Nor join on terms no invitation they accepted gave, though it names the right tenant.
            invitee(c, inviting.id(), b.ownerId(), hash);
            assertRefused(c, "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values ('" + inviting.id() + "', '"
                    + b.ownerId() + "', 'staff', 0)");
        }
        assertEquals(0, PalisadeTestStack.get().count("select count(*) from tenancy.memberships where tenant_id = ? and user_id = ?",
                inviting.id(), b.ownerId()));
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static Connection app() throws SQLException {
        return PalisadeTestStack.get().connectAs("tenant_service");
    }

    static void scope(Connection c, UUID tenant, UUID user) throws SQLException {
        scope(c, tenant, user, "staff");
    }

    /** Self-serve signup's scope: the new tenant and the new user (SignupService). */
    static void signingUp(Connection c, UUID tenant, UUID user) throws SQLException {
        scope(c, tenant, user, "signup");
    }

    private static void scope(Connection c, UUID tenant, UUID user, String principal) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true), set_config('app.principal', ?, true)")) {
            ps.setString(1, tenant.toString());
            ps.setString(2, user.toString());
            ps.setString(3, principal);
            ps.execute();
        }
    }

    /** A user accepting an invitation to the tenant, presenting its token's hash (DbScope.invitee). */
    static void invitee(Connection c, UUID tenant, UUID user, String invitationHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true),"
                + " set_config('app.principal', 'invitee', true), set_config('app.invitation', ?, true)")) {
            ps.setString(1, tenant.toString());
            ps.setString(2, user.toString());
            ps.setString(3, invitationHash);
            ps.execute();
        }
    }

    /** A user's own scope, in no tenant (DbScope.user). */
    static void ownScope(Connection c, UUID user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select set_config('app.tenant_id', '', true), set_config('app.user_id', ?, true), set_config('app.principal', 'staff', true)")) {
            ps.setString(1, user.toString());
            ps.execute();
        }
    }

    static long count(Connection c, String table) throws SQLException {
        return countWhere(c, table, "true");
    }

    static long countWhere(Connection c, String table, String where) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from " + table + " where " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int update(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }

    static void assertRefused(Connection c, String sql) throws SQLException {
        c.setSavepoint();
        SQLException refused = assertThrows(SQLException.class, () -> update(c, sql), sql);
        assertEquals("42501", refused.getSQLState(), refused.getMessage());
        c.rollback();
    }
}
