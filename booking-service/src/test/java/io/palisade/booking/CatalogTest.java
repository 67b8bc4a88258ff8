package io.palisade.booking;

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

/** The booking schema's catalog: every tenant table forces row-level security; no service role bypasses it. */
@QuarkusTest
@QuarkusTestResource(value = BookingServiceStack.class, restrictToAnnotatedClass = true)
class CatalogTest {

    @Inject
    Pool pool;

    @Test
    void everyTenantTableForcesRlsWithTenantAndMemberChecks() {
        RlsCatalog.Report report = RlsCatalog.tenantTables("booking", SecurityDefiners.listedPolicies("booking"));
        assertTrue(report.tenantTables() >= 7, "expected the booking tables, found " + report.tenantTables());
        assertEquals(List.of(), report.problems());
    }

    /**
     * The classes that open a transaction with no tenant in scope, each with why: a claim across tenants, a public
     * lookup by slug or token, or the lockout's tenantless tables. A new one fails here until it is named, with its reason.
     */
    @Test
    void onlyTheListedClaimsAndLookupsOpenATransactionWithoutATenant() {
        Map<String, String> listed = Map.of(
                "EmailProofService", "spends an email proof link, learning its tenant (booking.redeem_email_proof)",
                "ErasureWorker", "finds due erasures of every tenant (booking.due_erasures)",
                "HoldExpiry", "finds due holds of every tenant (booking.due_hold_expiries)",
                "HoldService", "the public widget names its tenant by slug (tenancy.active_tenant_id)",
                "NotificationSender", "leases due messages of every tenant (booking.claim_notifications)");
        assertEquals(listed.keySet().stream().sorted().toList(), RlsCatalog.anonymousScopeClasses());
    }

    @Test
    void noFunctionWritesAnEvent() {
        assertEquals(List.of(), RlsCatalog.functionsWritingEvents("booking"));
    }

    @Test
    void serviceRolesCannotBypassRls() {
        assertEquals(List.of(), RlsCatalog.serviceRoleProblems());
    }

    @Test
    void everySecurityDefinerIsPinnedAllowListedAndExecutableOnlyByItsRoles() {
        SecurityDefiners.Report report = SecurityDefiners.check(pool, "booking").await().indefinitely();
        List<String> anonymous = RlsCatalog.anonymousScopeSites();
        System.out.println(report.summary("booking") + "; " + anonymous.size() + " transactions opened without a tenant in scope: " + anonymous);
        assertEquals(List.of(), report.allProblems());
    }
}
