package io.palisade.devstack.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import io.palisade.devstack.ServiceSpec;

/**
 * Tenants, users and memberships for other services' tests, written straight into the tenancy schema (migrated
 * from tenant-service's sources), with tokens from {@link TestIssuer}. tenant-service's own tests create them
 * through its API instead.
 */
public final class TestTenancy {

    /** Permission bits as tenant-service defines them (io.palisade.common.tenancy.Permission). */
    public static final long ALL_PERMISSIONS = (1L << 10) - 1;

    private TestTenancy() {
    }

    /** Migrates the tenancy schema once per JVM, from tenant-service's sources beside the module under test. */
    public static void ensureSchema() {
        PalisadeTestStack.get().migrate(ServiceSpec.named("tenant-service"), Path.of("..", "tenant-service", "src", "main", "resources", "db", "tenancy"));
    }

    /** A tenant with an owner and a staff member holding the given permission bits. */
    public record Tenant(UUID id, String slug, UUID ownerId, UUID staffId, long staffPermissions) {

        public String ownerToken() {
            return TestIssuer.get().staff(id, ownerId, "owner", ALL_PERMISSIONS);
        }

        public String staffToken() {
            return TestIssuer.get().staff(id, staffId, "staff", staffPermissions);
        }
    }

    public static Tenant newTenant(long staffPermissions) {
        ensureSchema();
        UUID tenantId = UUID.randomUUID();
        String slug = "t-" + tenantId.toString().substring(0, 12);
        UUID owner = UUID.randomUUID();
        UUID staff = UUID.randomUUID();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            c.setAutoCommit(false);
            execute(c, "insert into tenancy.tenants (id, slug, name) values (?, ?, ?)", tenantId, slug, "Tenant " + slug);
            for (UUID user : new UUID[] { owner, staff }) {
                execute(c, "insert into tenancy.users (id, email, display_name, password_hash) values (?, ?, ?, 'not-a-login')", user,
                        user + "@" + slug + ".example", "User " + user.toString().substring(0, 8));
            }
            execute(c, "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values (?, ?, 'owner', ?)", tenantId, owner,
                    ALL_PERMISSIONS);
            execute(c, "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values (?, ?, 'staff', ?)", tenantId, staff,
                    staffPermissions);
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test tenant", e);
        }
        return new Tenant(tenantId, slug, owner, staff, staffPermissions);
    }

    /** A user the database knows as an active platform admin; returns the user id. */
    public static UUID newPlatformAdmin() {
        ensureSchema();
        UUID admin = UUID.randomUUID();
        try (Connection c = PalisadeTestStack.get().connectAsSuperuser()) {
            execute(c, "insert into tenancy.users (id, email, display_name, password_hash, platform_admin) values (?, ?, ?, 'not-a-login', true)",
                    admin, admin + "@platform.example", "Platform admin " + admin.toString().substring(0, 8));
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a platform admin", e);
        }
        return admin;
    }

    /** One statement with its values, on a connection the caller holds (a superuser's, for rows no service may write). */
    public static void execute(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setObject(i + 1, values[i]);
            }
            st.executeUpdate();
        }
    }
}
