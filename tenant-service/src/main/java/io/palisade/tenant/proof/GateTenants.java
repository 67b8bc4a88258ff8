package io.palisade.tenant.proof;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import io.palisade.common.tenancy.Permission;

/**
 * The two tenants the isolation gate (module isolation-gate) probes each other with after every install and upgrade.
 * Signup continues by mail, and the gate reads no mailbox on a real cluster; so the run that applies the migrations
 * keeps these two owners (MigrationRunAccounts), as the schema owner, with the password the operator's Secret gives
 * (set anew on every run: rotating the Secret rotates it). Their emails are under .invalid, which no mail reaches.
 */
public final class GateTenants {

    /** The gate's tenants; the owner of each is owner@&lt;slug&gt;.invalid. */
    public static final List<String> SLUGS = List.of("isolation-gate-a", "isolation-gate-b");

    private GateTenants() {
    }

    /** Keeps both tenants and their owners with the given password hash, in one transaction. */
    public static void keep(Connection c, String loginHash) throws SQLException {
        c.setAutoCommit(false);
        for (String slug : SLUGS) {
            keep(c, slug, loginHash);
        }
        c.commit();
    }

    private static void keep(Connection c, String slug, String loginHash) throws SQLException {
        UUID user = one(c, "insert into tenancy.users (id, email, display_name, password_hash, email_proven_at) values (?, ?, 'Isolation gate', ?, now())"
                + " on conflict (email) do update set password_hash = excluded.password_hash, status = 'active', updated_at = now() returning id",
                UUID.randomUUID(), "owner@" + slug + ".invalid", loginHash);
        one(c, "insert into tenancy.tenants (id, slug, name) values (?, ?, ?) on conflict (slug) do nothing returning id",
                UUID.randomUUID(), slug, "Isolation gate " + slug.substring(slug.length() - 1));
        UUID tenant = one(c, "select id from tenancy.tenants where slug = ?", slug);
        if (one(c, "select user_id from tenancy.memberships where tenant_id = ? and user_id <> ? limit 1", tenant, user) != null) {
            throw new IllegalStateException("the tenant " + slug + " has members other than the isolation gate's owner: not the gate's");
        }
        one(c, "insert into tenancy.memberships (tenant_id, user_id, role, permissions) values (?, ?, 'owner', ?)"
                + " on conflict (tenant_id, user_id) do update set role = 'owner', permissions = excluded.permissions, status = 'active'"
                + " returning tenant_id", tenant, user, Permission.ALL);
    }

    private static UUID one(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                st.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = st.executeQuery()) {
                return rows.next() ? rows.getObject(1, UUID.class) : null;
            }
        }
    }
}
