package io.palisade.devstack;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import javax.sql.DataSource;

/**
 * Creates the platform database, and per service a schema, the schema's owner role (migrations) and the
 * service's login role (the app), exactly as docs/database.md describes. Idempotent: it runs on every start
 * and re-applies role attributes and passwords.
 */
public final class PlatformDatabase {

    public static final String DATABASE = "palisade";
    private static final String TENANCY = "tenancy";

    /** Group role of every service login role; tenancy grants its RLS helper functions to it. */
    public static final String SERVICES_GROUP = "palisade_services";

    private PlatformDatabase() {
    }

    /**
     * @param passwords role name to password, for every owner and app role of {@link ServiceSpec#ALL}
     */
    public static void bootstrap(PostgresServer postgres, Map<String, String> passwords) {
        try (Connection c = postgres.superuserDataSource("postgres").getConnection(); Statement st = c.createStatement()) {
            var rs = st.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
            if (!rs.next()) {
                st.execute("create database " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE, e);
        }
        DataSource db = postgres.superuserDataSource(DATABASE);
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("revoke all on database " + DATABASE + " from public");
            st.execute("revoke create on schema public from public");
            ensureRole(st, SERVICES_GROUP, "nologin");
            for (ServiceSpec service : ServiceSpec.ALL) {
                ensureRole(st, service.ownerRole(), "login password " + literal(passwords.get(service.ownerRole())));
                ensureRole(st, service.appRole(), "login password " + literal(passwords.get(service.appRole())));
                st.execute("grant " + SERVICES_GROUP + " to " + service.appRole());
                st.execute("grant connect on database " + DATABASE + " to " + service.ownerRole() + ", " + service.appRole());
                st.execute("create schema if not exists " + service.schema() + " authorization " + service.ownerRole());
                st.execute("revoke all on schema " + service.schema() + " from public");
                st.execute("grant usage on schema " + service.schema() + " to " + service.appRole());
            }
            // Every schema's policies call tenancy's helpers (tenancy.current_tenant_id, is_active_member): its
            // owner must be able to name them. Usage only: the helpers' EXECUTE grants stay with tenancy.
            for (ServiceSpec service : ServiceSpec.ALL) {
                if (!TENANCY.equals(service.schema())) {
                    st.execute("grant usage on schema " + TENANCY + " to " + service.ownerRole());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not bootstrap roles and schemas", e);
        }
    }

    private static void ensureRole(Statement st, String role, String attributes) throws SQLException {
        var rs = st.executeQuery("select 1 from pg_roles where rolname = " + literal(role));
        String verb = rs.next() ? "alter" : "create";
        // Never superuser, never BYPASSRLS, no DDL outside the own schema: row-level security binds every role.
        st.execute(verb + " role " + role + " " + attributes
                + " nosuperuser nocreatedb nocreaterole noreplication nobypassrls");
    }

    static String literal(String value) {
        if (value == null) {
            throw new IllegalArgumentException("missing password");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
