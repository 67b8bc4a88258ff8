package io.palisade.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.palisade.common.db.SecurityDefiners;
import io.palisade.devstack.testing.RlsCatalog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** The audit schema's catalog: every tenant table forces row-level security; no service role bypasses it. */
@QuarkusTest
@QuarkusTestResource(value = AuditServiceStack.class, restrictToAnnotatedClass = true)
class CatalogTest {

    @Inject
    Pool pool;

    @Test
    void everyTenantTableForcesRlsWithTenantAndMemberChecks() {
        RlsCatalog.Report report = RlsCatalog.tenantTables("audit", SecurityDefiners.listedPolicies("audit"));
        assertTrue(report.tenantTables() >= 3, "expected the audit tables, found " + report.tenantTables());
        assertEquals(List.of(), report.problems());
    }

    /**
     * The classes that open a transaction with no tenant in scope, each with why: a claim across tenants, a public
     * lookup by slug or token, or the lockout's tenantless tables. A new one fails here until it is named, with its reason.
     */
    @Test
    void onlyTheListedClaimsAndLookupsOpenATransactionWithoutATenant() {
        Map<String, String> listed = Map.of(
                "Alerts", "finds held alerts of every chain (audit.held_alerts)",
                "ArchiveWriter", "reads every chain's head (audit.archive_heads)",
                "Checkpointer", "reads every chain's last signed position (audit.archive_heads)");
        assertEquals(listed.keySet().stream().sorted().toList(), RlsCatalog.anonymousScopeClasses());
    }

    @Test
    void noFunctionWritesAnEvent() {
        assertEquals(List.of(), RlsCatalog.functionsWritingEvents("audit"));
    }

    @Test
    void serviceRolesCannotBypassRls() {
        assertEquals(List.of(), RlsCatalog.serviceRoleProblems());
    }

    @Test
    void everySecurityDefinerIsPinnedAllowListedAndExecutableOnlyByItsRoles() {
        SecurityDefiners.Report report = SecurityDefiners.check(pool, "audit").await().indefinitely();
        List<String> anonymous = RlsCatalog.anonymousScopeSites();
        System.out.println(report.summary("audit") + "; " + anonymous.size() + " transactions opened without a tenant in scope: " + anonymous);
        assertEquals(List.of(), report.allProblems());
    }
}
