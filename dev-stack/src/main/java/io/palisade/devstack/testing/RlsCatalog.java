package io.palisade.devstack.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What every schema's catalog must say, for each service's tests: every table with a tenant_id forces
 * row-level security with a tenant-and-member policy (or a tenant-and-worker or tenant-and-visitor policy: the worker
 * and visitor scopes, which are no members) for reads and for every write it allows at all (save a write only policies
 * on the allow-list allow, each held to its own bound), and no
 * service role can bypass it, own a table or change a schema. A migration that forgets fails here.
 */
public final class RlsCatalog {

    private RlsCatalog() {
    }

    public record Report(int tenantTables, List<String> problems) {
    }

    private static final String TENANT_TABLES = """
            select c.oid::regclass::text as t, c.relrowsecurity, c.relforcerowsecurity,
                   array(select distinct unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
                                when 'w' then array['UPDATE'] when 'd' then array['DELETE']
                                else array['SELECT','INSERT','UPDATE','DELETE'] end)
                         from pg_policy p
                        where p.polrelid = c.oid and p.polpermissive
                          and (0 = any(p.polroles) or (select oid from pg_roles where rolname = 'palisade_services') = any(p.polroles))
                          and (coalesce(pg_get_expr(p.polqual, p.polrelid), '') || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
                               like any (array['%current_tenant_id()%is_active_member(%',
                                               '%current_tenant_id()%current_setting(''app.principal''::text, true) = ''worker''::text%',
                                               '%current_tenant_id()%current_setting(''app.principal''::text, true) = ''visitor''::text%']))) as checked_commands,
                   array(select distinct unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
                                when 'w' then array['UPDATE'] when 'd' then array['DELETE']
                                else array['SELECT','INSERT','UPDATE','DELETE'] end)
                         from pg_policy p
                        where p.polrelid = c.oid and p.polpermissive
                          and (0 = any(p.polroles) or (select oid from pg_roles where rolname = 'palisade_services') = any(p.polroles))
                          and not (c.oid::regclass::text || '.' || p.polname = any(?)))
                       as allowed_commands
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'p') and n.nspname = ?
               and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
            """;

    /**
     * The tenant tables of one schema. A write that only policies on the allow-list allow ({@code listedPolicies}, as
     * schema.table.policy: SecurityDefiners.listedPolicies) needs no tenant-bound policy: each is held to its own bound there.
     */
    public static Report tenantTables(String schema, Collection<String> listedPolicies) {
        List<String> problems = new ArrayList<>();
        int tables = 0;
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement(TENANT_TABLES)) {
            st.setArray(1, c.createArrayOf("text", listedPolicies.toArray()));
            st.setString(2, schema);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables++;
                    String table = rs.getString(1);
                    if (!rs.getBoolean(2)) {
                        problems.add(table + ": RLS not enabled");
                    }
                    if (!rs.getBoolean(3)) {
                        problems.add(table + ": RLS not forced");
                    }
                    List<String> checked = List.of((String[]) rs.getArray(4).getArray());
                    List<String> allowed = List.of((String[]) rs.getArray(5).getArray());
                    if (!checked.contains("SELECT")) {
                        problems.add(table + ": no tenant-and-member, tenant-and-worker or tenant-and-visitor policy for SELECT");
                    }
                    // A command without any policy is refused outright (forced RLS): stricter still, and fine.
                    for (String command : List.of("INSERT", "UPDATE", "DELETE")) {
                        if (allowed.contains(command) && !checked.contains(command)) {
                            problems.add(table + ": no tenant-and-member, tenant-and-worker or tenant-and-visitor policy for " + command);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Report(tables, problems);
    }

    /** Every service login role: no superuser, no BYPASSRLS, no role or database creation, owns nothing, creates nothing. */
    public static List<String> serviceRoleProblems() {
        List<String> problems = new ArrayList<>();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); PreparedStatement st = c.prepareStatement("""
                select r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                       (select count(*) from pg_class c where c.relowner = r.oid) as owned,
                       (select count(*) from pg_namespace n where n.nspname not like 'pg_%' and n.nspname <> 'information_schema'
                           and has_schema_privilege(r.oid, n.oid, 'CREATE')) as creatable_schemas
                  from pg_roles r join pg_auth_members m on m.member = r.oid
                  join pg_roles g on g.oid = m.roleid and g.rolname = 'palisade_services'""");
                ResultSet rs = st.executeQuery()) {
            int roles = 0;
            while (rs.next()) {
                roles++;
                String role = rs.getString(1);
                check(problems, rs.getBoolean(2), role + " is superuser");
                check(problems, rs.getBoolean(3), role + " has BYPASSRLS");
                check(problems, rs.getBoolean(4), role + " may create roles");
                check(problems, rs.getBoolean(5), role + " may create databases");
                check(problems, rs.getLong(6) > 0, role + " owns relations");
                check(problems, rs.getLong(7) > 0, role + " may create objects in a schema");
            }
            check(problems, roles == 0, "no service role found");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return problems;
    }

    /**
     * The functions of a schema that write an event (insert into an outbox), as signatures: none may (docs/events.md),
     * every event is written by Java through {@code Outbox.append} from its contract's record.
     */
    public static List<String> functionsWritingEvents(String schema) {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            return functionsWritingEvents(c, schema);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #functionsWritingEvents(String)}, on a connection the caller holds (a test's own transaction). */
    public static List<String> functionsWritingEvents(Connection c, String schema) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                + " where n.nspname = ? and p.prosrc ~* 'insert\\s+into\\s+\\S*outbox' order by 1")) {
            st.setString(1, schema);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    /**
     * Where the module's production code opens a transaction with no tenant in scope ({@code DbScope.anonymous()}),
     * as file:line: the places that can only reach data through definers. Counted in each CatalogTest's output, so
     * the number is seen to go down (issue 16: only allow-listed claims and public lookups should remain).
     */
    public static List<String> anonymousScopeSites() {
        List<String> sites = new ArrayList<>();
        java.nio.file.Path sources = java.nio.file.Path.of("src", "main", "java");
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(sources)) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = java.nio.file.Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("DbScope.anonymous()")) {
                        sites.add(sources.relativize(file) + ":" + (i + 1));
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sites;
    }

    /** The classes of {@link #anonymousScopeSites()}, by simple name, each once, sorted. */
    public static List<String> anonymousScopeClasses() {
        return anonymousScopeSites().stream().map(site -> java.nio.file.Path.of(site.substring(0, site.indexOf(':'))).getFileName().toString())
                .map(file -> file.substring(0, file.length() - ".java".length())).distinct().sorted().toList();
    }

    private static void check(List<String> problems, boolean wrong, String problem) {
        if (wrong) {
            problems.add(problem);
        }
    }
}
