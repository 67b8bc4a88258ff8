package io.palisade.tenant.proof;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The live catalog as the isolation proof reads it (tables, their policies, the service roles), and each table's rows
 * counted under the caller's own scope.
 */
@ApplicationScoped
public class IsolationProofRepository {

    public record Table(String qualified, long relid, boolean rlsEnabled, boolean rlsForced, boolean readable, String tenantColumn) {
    }

    public record Policy(String name, String command, boolean permissive, List<String> roles, String expression) {
    }

    public record ServiceRole(String role, boolean superuser, boolean bypassRls, long ownedTables) {
    }

    /** The scope's own rows of a table, and whether any row of another tenant shows (never how many). */
    public record Visibility(long ownRows, boolean otherTenantsRowsVisible) {
    }

    /** Tables with a tenant_id column, plus tenancy.tenants (whose id is the tenant), in every service schema. */
    static final String TABLES = """
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
    static final String POLICIES = """
            select p.polname as name,
                   case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                                 when 'd' then 'DELETE' else 'ALL' end as command,
                   p.polpermissive as permissive,
                   array(select case r when 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r) as roles,
                   coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
              from pg_policy p where p.polrelid = $1::oid order by p.polname""";

    static final String SERVICE_ROLES = """
            select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypassrls,
                   (select count(*) from pg_class c where c.relowner = r.oid and c.relkind in ('r', 'p')) as owned_tables
              from pg_roles r
             where r.rolcanlogin
               and exists (select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid
                            where m.member = r.oid and g.rolname = 'palisade_services')
             order by 1""";

    public Uni<List<Table>> tables(SqlConnection c) {
        return c.query(TABLES).execute().map(rows -> all(rows, r -> new Table(r.getString("qualified"), r.getLong("relid"),
                r.getBoolean("enabled"), r.getBoolean("forced"), r.getBoolean("readable"), r.getString("tenant_column"))));
    }

    /** By oid: naming another service's table (a regclass cast) needs USAGE on its schema, which this role lacks. */
    public Uni<List<Policy>> policies(SqlConnection c, Table table) {
        return c.preparedQuery(POLICIES).execute(Tuple.of(table.relid())).map(rows -> all(rows, p -> new Policy(p.getString("name"),
                p.getString("command"), p.getBoolean("permissive"), List.of(p.getArrayOfStrings("roles")), p.getString("expr"))));
    }

    public Uni<List<ServiceRole>> serviceRoles(SqlConnection c) {
        return c.query(SERVICE_ROLES).execute().map(rows -> all(rows, r -> new ServiceRole(r.getString("role"), r.getBoolean("superuser"),
                r.getBoolean("bypassrls"), r.getLong("owned_tables"))));
    }

    /** Counted under the caller's RLS scope; the table and column names come from the catalog, not from a request. */
    public Uni<Visibility> visibility(SqlConnection c, Table table) {
        return c.query("select count(*) as own, count(*) filter (where " + table.tenantColumn()
                + " is distinct from tenancy.current_tenant_id()) > 0 as foreign_visible from " + table.qualified()).execute()
                .map(rows -> rows.iterator().next())
                .map(r -> new Visibility(r.getLong("own"), r.getBoolean("foreign_visible")));
    }
}
