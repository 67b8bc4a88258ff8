package io.palisade.devstack;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

/**
 * Creates the platform database, then runs bootstrap.sql (k8s/palisade-platform/files, shared with the platform
 * chart): per service a schema, the schema's owner role (migrations) and the service's login role (the app), as
 * docs/database.md describes; then sets the roles' passwords. Idempotent: it runs on every start.
 */
public final class PlatformDatabase {

    public static final String DATABASE = "palisade";

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
            st.execute(bootstrapSql());
            for (ServiceSpec service : ServiceSpec.ALL) {
                for (String role : List.of(service.ownerRole(), service.appRole())) {
                    st.execute("alter role " + role + " password " + literal(passwords.get(role)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not bootstrap roles and schemas", e);
        }
    }

    /** bootstrap.sql: the roles, schemas and grants, the same file the platform chart's PostgreSQL cluster runs. */
    public static String bootstrapSql() {
        try (var in = PlatformDatabase.class.getResourceAsStream("/bootstrap.sql")) {
            if (in == null) {
                throw new IllegalStateException("bootstrap.sql is not on the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String literal(String value) {
        if (value == null) {
            throw new IllegalArgumentException("missing password");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
