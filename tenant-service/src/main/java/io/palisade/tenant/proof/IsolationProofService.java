package io.palisade.tenant.proof;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.db.Rows;
import io.palisade.common.db.SecurityDefiners;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.TenantTransactions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
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

    /** Tables with a tenant_id column, plus tenancy.tenants (whose id is the tenant), in every service schema. */
    private static final String TABLES = """
            select n.nspname as schema, c.relname as name, c.oid::regclass::text as qualified, c.oid::bigint as relid,
                   c.relrowsecurity as enabled, c.relforcerowsecurity as forced, pg_get_userbyid(c.relowner) as owner,
                   -- Another service's table may be granted to the services' group while its schema is not: counting
                   -- it would be refused, and the proof covers every schema of the platform.
                   has_schema_privilege(current_user, n.oid, 'USAGE') and has_table_privilege(current_user, c.oid, 'SELECT') as readable,
                   case when n.nspname = 'tenancy' and c.relname = 'tenants' then 'id' else 'tenant_id' end as tenant_column
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'p')
               and n.nspname not in ('pg_catalog', 'information_schema', 'public') and n.nspname not like 'pg_%'
               and (exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
                    or (n.nspname = 'tenancy' and c.relname = 'tenants'))
             order by 1, 2""";

    /** Per policy: which commands it covers and whether it applies to the service roles. */
    private static final String POLICIES = """
            select p.polname as name,
                   case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                                 when 'd' then 'DELETE' else 'ALL' end as command,
                   p.polpermissive as permissive,
                   array(select case r when 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r) as roles,
                   coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
              from pg_policy p where p.polrelid = $1::oid order by p.polname""";

    private static final String SERVICE_ROLES = """
            select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypassrls,
                   (select count(*) from pg_class c where c.relowner = r.oid and c.relkind in ('r', 'p')) as owned_tables
              from pg_roles r
             where r.rolcanlogin
               and exists (select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid
                            where m.member = r.oid and g.rolname = 'palisade_services')
             order by 1""";

    private final TenantTransactions tx;
    private final CurrentTenant currentTenant;

    IsolationProofService(TenantTransactions tx, CurrentTenant currentTenant) {
        this.tx = tx;
        this.currentTenant = currentTenant;
    }

    public Uni<Map<String, Object>> prove() {
        return tx.inTenant(currentTenant.get(), c -> c.query(TABLES).execute()
                .chain(tables -> Multi.createFrom().iterable(tables)
                        .onItem().transformToUniAndConcatenate(table -> tableReport(c, table)).collect().asList())
                .chain(tableReports -> c.query(SERVICE_ROLES).execute()
                        .chain(roles -> SecurityDefiners.check(c, null).map(definers -> report(tableReports,
                                Rows.all(roles, IsolationProofService::roleReport), definers)))));
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

    private static Map<String, Object> roleReport(Row r) {
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("role", r.getString("role"));
        role.put("superuser", r.getBoolean("superuser"));
        role.put("bypassRls", r.getBoolean("bypassrls"));
        role.put("ownedTables", r.getLong("owned_tables"));
        role.put("pass", !r.getBoolean("superuser") && !r.getBoolean("bypassrls") && r.getLong("owned_tables") == 0);
        return role;
    }

    private Uni<Map<String, Object>> tableReport(SqlConnection c, Row table) {
        String qualified = table.getString("qualified");
        // By oid: naming another service's table (a regclass cast) needs USAGE on its schema, which this role lacks.
        return c.preparedQuery(POLICIES).execute(io.vertx.mutiny.sqlclient.Tuple.of(table.getLong("relid"))).chain(policies -> {
            List<Map<String, Object>> policyReports = new ArrayList<>();
            Set<String> covered = new java.util.TreeSet<>();
            List<String> problems = new ArrayList<>();
            for (Row p : policies) {
                List<String> roles = List.of(p.getArrayOfStrings("roles"));
                boolean forServices = roles.contains("public") || roles.contains(SERVICES_GROUP);
                String command = p.getString("command");
                String expr = p.getString("expr");
                boolean tenantCheck = expr.contains("current_tenant_id()");
                boolean memberCheck = expr.contains("is_active_member(");
                boolean workerCheck = expr.contains("current_setting('app.principal'::text, true) = 'worker'::text");
                Map<String, Object> policy = new LinkedHashMap<>();
                policy.put("name", p.getString("name"));
                policy.put("command", command);
                policy.put("roles", roles);
                policy.put("tenantCheck", tenantCheck);
                policy.put("memberCheck", memberCheck);
                policy.put("workerCheck", workerCheck);
                policyReports.add(policy);
                if (forServices && p.getBoolean("permissive")) {
                    if (!tenantCheck) {
                        problems.add("policy " + p.getString("name") + " does not check the transaction's tenant");
                    }
                    if ("ALL".equals(command)) {
                        covered.addAll(COMMANDS);
                    } else {
                        covered.add(command);
                    }
                }
            }
            boolean enabled = table.getBoolean("enabled");
            boolean forced = table.getBoolean("forced");
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
            if (!table.getBoolean("readable")) {
                // Another service's table: its catalog is checked above; its rows only that service's role may read.
                return Uni.createFrom().item(report);
            }
            // Live, under this request's RLS scope: the caller's own rows, and whether any row of another tenant shows.
            // Never another tenant's numbers: a count of everyone's rows would tell an owner about other tenants.
            return c.query("select count(*) as own, count(*) filter (where " + table.getString("tenant_column")
                    + " is distinct from tenancy.current_tenant_id()) > 0 as foreign_visible from " + qualified).execute().map(rows -> {
                        Row counted = rows.iterator().next();
                        report.put("tenantRows", counted.getLong("own"));
                        boolean foreignVisible = counted.getBoolean("foreign_visible");
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
