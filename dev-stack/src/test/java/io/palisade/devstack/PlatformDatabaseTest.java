package io.palisade.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** bootstrap.sql, the file the platform chart runs too, makes exactly the roles and schemas every service expects. */
class PlatformDatabaseTest {

    @Test
    void everyServiceGetsItsSchemaAndTwoUnprivilegedRolesAndABootstrapRunsTwice() throws Exception {
        Map<String, String> passwords = new HashMap<>();
        ServiceSpec.ALL.forEach(s -> {
            passwords.put(s.ownerRole(), "pw-" + s.ownerRole());
            passwords.put(s.appRole(), "pw-" + s.appRole());
        });
        try (PostgresServer postgres = PostgresServer.start(0, null)) {
            PlatformDatabase.bootstrap(postgres, passwords);
            PlatformDatabase.bootstrap(postgres, passwords);
            try (Connection c = postgres.superuserDataSource(PlatformDatabase.DATABASE).getConnection(); Statement st = c.createStatement()) {
                for (ServiceSpec service : ServiceSpec.ALL) {
                    for (String role : new String[] {service.ownerRole(), service.appRole()}) {
                        try (ResultSet rs = st.executeQuery("select rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication"
                                + " from pg_roles where rolname = '" + role + "'")) {
                            assertTrue(rs.next(), role + " exists");
                            assertEquals("true false false false false false", rs.getBoolean(1) + " " + rs.getBoolean(2) + " " + rs.getBoolean(3)
                                    + " " + rs.getBoolean(4) + " " + rs.getBoolean(5) + " " + rs.getBoolean(6), role);
                        }
                    }
                    try (ResultSet rs = st.executeQuery("select nspowner::regrole::text, has_schema_privilege('" + service.appRole() + "', nspname, 'USAGE'),"
                            + " has_schema_privilege('" + service.appRole() + "', nspname, 'CREATE'),"
                            + " pg_has_role('" + service.appRole() + "', 'palisade_services', 'MEMBER')"
                            + " from pg_namespace where nspname = '" + service.schema() + "'")) {
                        assertTrue(rs.next(), service.schema() + " exists");
                        assertEquals(service.ownerRole(), rs.getString(1));
                        assertTrue(rs.getBoolean(2), service.appRole() + " uses its schema");
                        assertTrue(!rs.getBoolean(3), service.appRole() + " cannot create in its schema");
                        assertTrue(rs.getBoolean(4), service.appRole() + " is one of palisade_services");
                    }
                }
            }
        }
    }
}
