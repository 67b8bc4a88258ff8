package io.palisade.payment;

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

/** The payment schema's catalog: every tenant table forces row-level security; no service role bypasses it. */
@QuarkusTest
@QuarkusTestResource(value = PaymentServiceStack.class, restrictToAnnotatedClass = true)
class CatalogTest {

    @Inject
    Pool pool;

    @Test
    void everyTenantTableForcesRlsWithTenantAndMemberChecks() {
        RlsCatalog.Report report = RlsCatalog.tenantTables("payment", SecurityDefiners.listedPolicies("payment"));
        assertTrue(report.tenantTables() >= 12, "expected the payment tables, found " + report.tenantTables());
        assertEquals(List.of(), report.problems());
    }

    /**
     * The classes that open a transaction with no tenant in scope, each with why: a claim across tenants, a public
     * lookup by slug or token, or the lockout's tenantless tables. A new one fails here until it is named, with its reason.
     */
    @Test
    void onlyTheListedClaimsAndLookupsOpenATransactionWithoutATenant() {
        Map<String, String> listed = Map.of(
                "GiftCardPurchases", "the public page names its tenant by slug (tenancy.active_tenant_id)",
                "RefundService", "finds refunds of every tenant still waiting for Stripe (payment.unsent_refunds)",
                "StripeEventIntake", "stores a verified Stripe event under the tenant its account names (payment.record_stripe_event)",
                "StripeEventWorker", "leases stored events and paid purchases of every tenant (payment.claim_stripe_events, payment.unissued_purchases)");
        assertEquals(listed.keySet().stream().sorted().toList(), RlsCatalog.anonymousScopeClasses());
    }

    @Test
    void noFunctionWritesAnEvent() {
        assertEquals(List.of(), RlsCatalog.functionsWritingEvents("payment"));
    }

    @Test
    void serviceRolesCannotBypassRls() {
        assertEquals(List.of(), RlsCatalog.serviceRoleProblems());
    }

    @Test
    void everySecurityDefinerIsPinnedAllowListedAndExecutableOnlyByItsRoles() {
        SecurityDefiners.Report report = SecurityDefiners.check(pool, "payment").await().indefinitely();
        List<String> anonymous = RlsCatalog.anonymousScopeSites();
        System.out.println(report.summary("payment") + "; " + anonymous.size() + " transactions opened without a tenant in scope: " + anonymous);
        assertEquals(List.of(), report.allProblems());
    }
}
