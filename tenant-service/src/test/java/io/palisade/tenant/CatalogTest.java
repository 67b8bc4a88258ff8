package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.db.SecurityDefiners;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.RlsCatalog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The tenancy schema's catalog (checks shared by every service: RlsCatalog): every tenant table forces
 * row-level security with tenant-and-member policies; no service role can bypass it; the isolation proof
 * reports a forgotten table. A future migration that forgets fails here.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class CatalogTest {

    @Inject
    Pool pool;

    @Test
    void everyTenantTableForcesRlsWithTenantAndMemberChecksForEveryCommand() {
        RlsCatalog.Report report = RlsCatalog.tenantTables("tenancy", SecurityDefiners.listedPolicies("tenancy"));
        assertTrue(report.tenantTables() >= 10, "expected the tenancy tables, found " + report.tenantTables());
        assertEquals(List.of(), report.problems());
    }

    @Test
    void serviceRolesCannotBypassRlsOwnTablesOrChangeSchemas() {
        assertEquals(List.of(), RlsCatalog.serviceRoleProblems());
    }

    @Test
    void isolationProofPassesAndReportsATableWithoutForcedRlsAsFailing() throws SQLException {
        String owner = Api.newTenant(null).ownerToken();
        bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("pass", equalTo(true))
                .body("tables.table", hasItem("tenancy.memberships"))
                .body("serviceRoles.role", hasItem("tenant_service"));
        // As a forgetful migration would: the schema owner creates a tenant table and never forces RLS.
        try (Connection c = PalisadeTestStack.get().connectAs("tenancy_owner"); Statement st = c.createStatement()) {
            st.execute("create table tenancy.forgotten (id uuid primary key, tenant_id uuid not null)");
            st.execute("alter table tenancy.forgotten enable row level security");
            try {
                bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("pass", equalTo(false))
                        .body("tables.find { it.table == 'tenancy.forgotten' }.pass", equalTo(false))
                        .body("tables.find { it.table == 'tenancy.forgotten' }.rlsForced", equalTo(false));
            } finally {
                st.execute("drop table tenancy.forgotten");
            }
        }
        bearer(owner).get("/security/isolation-proof").then().body("pass", equalTo(true));
    }

    @Test
    void isolationProofReportsADefinerMissingFromTheAllowListAsFailing() throws SQLException {
        String owner = Api.newTenant(null).ownerToken();
        bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("securityDefiners.pass", equalTo(true))
                .body("securityDefiners.functions.function", hasItem("tenancy.is_active_member(uuid)"));
        // As a careless migration would: a definer nobody allow-listed, executable by PUBLIC by default.
        try (Connection c = PalisadeTestStack.get().connectAs("tenancy_owner"); Statement st = c.createStatement()) {
            st.execute("create function tenancy.sees_everything() returns bigint language sql security definer"
                    + " set search_path = pg_catalog, pg_temp as 'select count(*) from tenancy.users'");
            try {
                bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("pass", equalTo(false))
                        .body("securityDefiners.pass", equalTo(false))
                        .body("securityDefiners.functions.find { it.function == 'tenancy.sees_everything()' }.executableByPublic",
                                equalTo(true))
                        .body("securityDefiners.problems", hasItems(
                                "tenancy.sees_everything(): not on the allow-list db/security-definers.txt (executable by [])",
                                "tenancy.sees_everything(): written in sql, not PL/pgSQL, which keeps its plans"));
            } finally {
                st.execute("drop function tenancy.sees_everything()");
            }
        }
        bearer(owner).get("/security/isolation-proof").then().body("pass", equalTo(true));
    }

    /**
     * The classes that open a transaction with no tenant in scope, each with why: a claim across tenants, a public
     * lookup by slug or token, or the lockout's tenantless tables. A new one fails here until it is named, with its reason.
     */
    @Test
    void onlyTheListedClaimsAndLookupsOpenATransactionWithoutATenant() {
        Map<String, String> listed = Map.of(
                "AccountService", "login, refresh and invitation tokens before any scope (tenancy.find_login, refresh_token_scope, pending_invitation; the lockout's tenantless tables)",
                "EmailProofs", "spends an account's email proof link",
                "GuestSignIn", "guest sign-in links (tenancy.issue_guest_link, redeem_guest_link)",
                "LoginThrottle", "purges the lockout's tenantless tables",
                "SecondFactor", "the challenge token before any scope (tenancy.mfa_challenge_scope; the lockout's tables)",
                "SignupService", "a new account and tenant before either exists; purges expired signups",
                "SsoProviders", "SSO sign-in names its tenant by slug",
                "SsoSignIn", "audits a refused SSO sign-in of no member",
                "SupportAccess", "finds expired support sessions of every tenant (tenancy.expired_support_sessions)",
                "UnlockLinks", "an unlock link for a locked identifier, before any scope (the lockout's tables)");
        assertEquals(listed.keySet().stream().sorted().toList(), RlsCatalog.anonymousScopeClasses());
    }

    @Test
    void noFunctionWritesAnEventAndTheCheckFindsOneThatWould() throws SQLException {
        assertEquals(List.of(), RlsCatalog.functionsWritingEvents("tenancy"));
        // As a careless migration would: an event made in SQL, beside the typed contract records.
        try (Connection c = PalisadeTestStack.get().connectAs("tenancy_owner"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("create function tenancy.announce(p_tenant uuid) returns void language sql set search_path = pg_catalog, pg_temp"
                    + " as $$ insert into tenancy.outbox (id, tenant_id, type, subject, data)"
                    + " values (gen_random_uuid(), p_tenant, 'tenant.announced', 'x', '{}') $$");
            try {
                assertEquals(List.of("tenancy.announce(uuid)"), RlsCatalog.functionsWritingEvents(c, "tenancy"));
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void staffCannotReadTheIsolationProof() {
        String staff = Api.newTenant("MEMBERS_MANAGE").staffToken();
        bearer(staff).get("/security/isolation-proof").then().statusCode(403);
    }

    @Test
    void isolationProofReportsATenantBlindPolicyMissingFromTheAllowListOrWidenedAsFailing() throws SQLException {
        String owner = Api.newTenant(null).ownerToken();
        bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("securityDefiners.pass", equalTo(true))
                .body("securityDefiners.tenantBlindPolicies.policy", hasItem("tenancy.outbox.outbox_upkeep_select"));
        try (Connection c = PalisadeTestStack.get().connectAs("tenancy_owner"); Statement st = c.createStatement()) {
            // As a careless migration would: a policy that checks no tenant, one that names the tenant only in an OR, and an
            // allow-listed one widened with an OR.
            st.execute("create policy memberships_for_reports on tenancy.memberships for select to tenant_service using (true)");
            st.execute("create policy invitations_for_reports on tenancy.invitations for select to tenant_service"
                    + " using (tenant_id = tenancy.current_tenant_id() or accepted_at is not null)");
            st.execute("alter policy outbox_upkeep_select on tenancy.outbox using"
                    + " (current_setting('app.principal', true) = 'upkeep' or current_setting('app.principal', true) = 'staff')");
            try {
                bearer(owner).get("/security/isolation-proof").then().statusCode(200).body("pass", equalTo(false))
                        .body("securityDefiners.pass", equalTo(false))
                        .body("securityDefiners.problems", hasItem(
                                "tenancy.memberships.memberships_for_reports: checks no tenant and is not on the allow-list"
                                        + " db/security-definers.txt (SELECT: true)"))
                        .body("securityDefiners.tenantBlindPolicies.policy", hasItem("tenancy.invitations.invitations_for_reports"))
                        .body("securityDefiners.tenantBlindPolicies.find { it.policy == 'tenancy.outbox.outbox_upkeep_select' }.pass",
                                equalTo(false));
            } finally {
                st.execute("drop policy memberships_for_reports on tenancy.memberships");
                st.execute("drop policy invitations_for_reports on tenancy.invitations");
                st.execute("alter policy outbox_upkeep_select on tenancy.outbox using (current_setting('app.principal', true) = 'upkeep')");
            }
        }
        bearer(owner).get("/security/isolation-proof").then().body("securityDefiners.pass", equalTo(true));
    }

    @Test
    void everySecurityDefinerIsPinnedAllowListedAndExecutableOnlyByItsRoles() {
        SecurityDefiners.Report report = SecurityDefiners.check(pool, "tenancy").await().indefinitely();
        List<String> anonymous = RlsCatalog.anonymousScopeSites();
        System.out.println(report.summary("tenancy") + "; " + anonymous.size() + " transactions opened without a tenant in scope: " + anonymous);
        assertEquals(List.of(), report.allProblems());
    }
}
