package io.palisade.tenant.proof;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.SecurityDefiners;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Reads the live database catalog and reports, for every tenant-scoped table of every service schema,
 * whether row-level security would hold, and for every function that sees past it (SECURITY DEFINER) whether
 * it is allow-listed, pinned and executable only by its roles. Nothing here is configured or cached: a table
 * that loses its forced RLS or a policy, or a new definer, shows up failing on the next call.
 */
@ApplicationScoped
public class IsolationProofService {

    static final Set<String> COMMANDS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");
    static final String SERVICES_GROUP = "palisade_services";

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;
    private final IsolationProofRepository catalog;

    IsolationProofService(TenantTransactions tx, CurrentTenant currentTenant, IsolationProofRepository catalog) {
        this.tx = tx;
        this.currentTenant = currentTenant;
        this.catalog = catalog;
    }

    public Uni<Map<String, Object>> prove() {
        return tx.inTenant(currentTenant.get(), c -> catalog.tables(c)
                .chain(tables -> Multi.createFrom().iterable(tables)
                        .onItem().transformToUniAndConcatenate(table -> tableReport(c, table)).collect().asList())
                .chain(tableReports -> catalog.serviceRoles(c)
                        .chain(roles -> SecurityDefiners.check(c, null).map(definers -> report(tableReports,
                                roles.stream().map(IsolationProofService::roleReport).toList(), definers)))));
    }

    private Map<String, Object> report(List<Map<String, Object>> tables, List<Map<String, Object>> roles,
            SecurityDefiners.Report definers) {
        boolean pass = !tables.isEmpty() && !roles.isEmpty()
                && tables.stream().allMatch(t -> Boolean.TRUE.equals(t.get("pass")))
                && roles.stream().allMatch(r -> Boolean.TRUE.equals(r.get("pass")))
                && definers.pass();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pass", pass);
        report.put("tenantId", currentTenant.get().tenantId());
        report.put("generatedAt", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
        report.put("tables", tables);
        report.put("serviceRoles", roles);
        report.put("securityDefiners", definersReport(definers));
        return report;
    }

    /**
     * The functions that see past RLS and the policies that check no tenant, each held against the allow-list: a new
     * or widened one fails the proof.
     */
    private static Map<String, Object> definersReport(SecurityDefiners.Report definers) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pass", definers.pass());
        report.put("count", definers.definers().size());
        report.put("interim", definers.definers().stream().filter(SecurityDefiners.Definer::interim).count());
        report.put("problems", definers.allProblems());
        report.put("functions", definers.definers().stream().map(SecurityDefiners.Definer::asMap).toList());
        // The policies a service role runs under that check no tenant (the upkeep scope's), each allow-listed too.
        report.put("tenantBlindPolicies", definers.policies().stream().map(SecurityDefiners.TenantBlindPolicy::asMap).toList());
        return report;
    }

    private static Map<String, Object> roleReport(IsolationProofRepository.ServiceRole r) {
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("role", r.role());
        role.put("superuser", r.superuser());
        role.put("bypassRls", r.bypassRls());
        role.put("ownedTables", r.ownedTables());
        role.put("pass", !r.superuser() && !r.bypassRls() && r.ownedTables() == 0);
        return role;
    }

    private Uni<Map<String, Object>> tableReport(SqlConnection c, IsolationProofRepository.Table table) {
        String qualified = table.qualified();
        return catalog.policies(c, table).chain(policies -> {
            List<Map<String, Object>> policyReports = new ArrayList<>();
            Set<String> covered = new java.util.TreeSet<>();
            List<String> problems = new ArrayList<>();
            for (IsolationProofRepository.Policy p : policies) {
                List<String> roles = p.roles();
                boolean forServices = roles.contains("public") || roles.contains(SERVICES_GROUP);
                String command = p.command();
                String expr = p.expression();
                boolean tenantCheck = expr.contains("current_tenant_id()");
                boolean memberCheck = expr.contains("is_active_member(");
                boolean workerCheck = expr.contains("current_setting('app.principal'::text, true) = 'worker'::text");
                Map<String, Object> policy = new LinkedHashMap<>();
                policy.put("name", p.name());
                policy.put("command", command);
                policy.put("roles", roles);
                policy.put("tenantCheck", tenantCheck);
                policy.put("memberCheck", memberCheck);
                policy.put("workerCheck", workerCheck);
                policyReports.add(policy);
                if (forServices && p.permissive()) {
                    if (!tenantCheck) {
                        problems.add("policy " + p.name() + " does not check the transaction's tenant");
                    }
                    if ("ALL".equals(command)) {
                        covered.addAll(COMMANDS);
                    } else {
                        covered.add(command);
                    }
                }
            }
            boolean enabled = table.rlsEnabled();
            boolean forced = table.rlsForced();
            if (!enabled) {
                problems.add("row level security is not enabled");
            }
            if (!forced) {
                problems.add("row level security is not forced");
            }
            // A command no policy allows is refused outright under forced RLS: stricter, not a problem.
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("table", qualified);
            report.put("rlsEnabled", enabled);
            report.put("rlsForced", forced);
            report.put("commandsCovered", covered);
            report.put("policies", policyReports);
            report.put("problems", problems);
            report.put("pass", problems.isEmpty());
            if (!table.readable()) {
                // Another service's table: its catalog is checked above; its rows only that service's role may read.
                return Uni.createFrom().item(report);
            }
            // Live, under this request's RLS scope: the caller's own rows, and whether any row of another tenant shows.
            // Never another tenant's numbers: a count of everyone's rows would tell an owner about other tenants.
            return catalog.visibility(c, table).map(counted -> {
                        report.put("tenantRows", counted.ownRows());
                        boolean foreignVisible = counted.otherTenantsRowsVisible();
                        report.put("otherTenantsRowsVisible", foreignVisible);
                        if (foreignVisible) {
                            problems.add("rows of another tenant are visible");
                            report.put("pass", false);
                        }
                        return report;
                    });
        });
    }
}
