package io.palisade.tenant;

import static io.palisade.tenant.Api.bearer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.testing.PalisadeTestStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The database catalog itself: every table with a tenant_id column in every schema forces row-level security
 * with a tenant-and-member policy for reads and for every write command it allows at all; no service role can bypass it. A future migration that forgets
 * fails here.
 */
@QuarkusTest
@QuarkusTestResource(value = TenantServiceStack.class, restrictToAnnotatedClass = true)
class CatalogTest {

    @Test
    void everyTenantTableForcesRlsWithTenantAndMemberChecksForEveryCommand() throws SQLException {
        List<String> problems = new ArrayList<>();
        int tables = 0;
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("""
                        select c.oid::regclass::text as t, c.relrowsecurity, c.relforcerowsecurity,
                               array(select distinct unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
                                            when 'w' then array['UPDATE'] when 'd' then array['DELETE']
                                            else array['SELECT','INSERT','UPDATE','DELETE'] end)
                                     from pg_policy p
                                    where p.polrelid = c.oid and p.polpermissive
                                      and (0 = any(p.polroles) or (select oid from pg_roles where rolname = 'palisade_services') = any(p.polroles))
                                      and coalesce(pg_get_expr(p.polqual, p.polrelid), '') || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
                                          like '%current_tenant_id()%is_active_member(%') as checked_commands,
                               array(select distinct unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
                                            when 'w' then array['UPDATE'] when 'd' then array['DELETE']
                                            else array['SELECT','INSERT','UPDATE','DELETE'] end)
                                     from pg_policy p
                                    where p.polrelid = c.oid and p.polpermissive
                                      and (0 = any(p.polroles) or (select oid from pg_roles where rolname = 'palisade_services') = any(p.polroles)))
                                   as allowed_commands
                          from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
                           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
                        """)) {
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
                    problems.add(table + ": no tenant-and-member policy for SELECT");
                }
                // A command without any policy is refused outright (forced RLS): stricter still, and fine.
                for (String command : List.of("INSERT", "UPDATE", "DELETE")) {
                    if (allowed.contains(command) && !checked.contains(command)) {
                        problems.add(table + ": no tenant-and-member policy for " + command);
                    }
                }
            }
        }
        assertTrue(tables >= 3, "expected the tenancy tables, found " + tables);
        assertEquals(List.of(), problems);
    }

    @Test
    void serviceRolesCannotBypassRlsOwnTablesOrChangeSchemas() throws SQLException {
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("""
                        select r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                               (select count(*) from pg_class c where c.relowner = r.oid) as owned,
                               (select count(*) from pg_namespace n where n.nspname not like 'pg_%' and n.nspname <> 'information_schema'
                                   and has_schema_privilege(r.oid, n.oid, 'CREATE')) as creatable_schemas
                          from pg_roles r join pg_auth_members m on m.member = r.oid
                          join pg_roles g on g.oid = m.roleid and g.rolname = 'palisade_services'""")) {
            int roles = 0;
            while (rs.next()) {
                roles++;
                String role = rs.getString(1);
                assertFalse(rs.getBoolean(2), role + " is superuser");
                assertFalse(rs.getBoolean(3), role + " has BYPASSRLS");
                assertFalse(rs.getBoolean(4), role + " may create roles");
                assertFalse(rs.getBoolean(5), role + " may create databases");
                assertEquals(0, rs.getLong(6), role + " owns relations");
                assertEquals(0, rs.getLong(7), role + " may create objects in a schema");
            }
            assertTrue(roles >= 1);
        }
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
    void staffCannotReadTheIsolationProof() {
        String staff = Api.newTenant("MEMBERS_MANAGE").staffToken();
        bearer(staff).get("/security/isolation-proof").then().statusCode(403);
    }
}
