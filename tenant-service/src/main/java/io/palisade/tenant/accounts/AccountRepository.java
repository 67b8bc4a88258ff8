package io.palisade.tenant.accounts;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Users, tenants and refresh tokens, always on a connection whose transaction carries the caller's scope
 * (see TenantTransactions). Lookups before a scope exists go through the schema's definer helpers.
 */
@ApplicationScoped
public class AccountRepository {

    public record Login(UUID userId, String passwordHash, String status, boolean platformAdmin) {
    }

    public record TenantChoice(UUID tenantId, String slug, String name, String role, long permissions,
            boolean requireMfaForAdmins) {

        /** Owners and admins of a tenant that requires it must sign in with a second factor. */
        public boolean mfaRequired() {
            return requireMfaForAdmins && !"staff".equals(role);
        }
    }

    public record RefreshToken(UUID id, UUID tenantId, UUID userId, UUID familyId, OffsetDateTime expiresAt,
            OffsetDateTime usedAt, OffsetDateTime revokedAt, String amr) {
    }

    public Uni<Optional<Login>> findLogin(SqlConnection c, String email) {
        return c.preparedQuery("select user_id, password_hash, status, platform_admin from tenancy.find_login($1)")
                .execute(Tuple.of(email))
                .map(rows -> first(rows).map(r -> new Login(r.getUUID("user_id"), r.getString("password_hash"),
                        r.getString("status"), r.getBoolean("platform_admin"))));
    }

    /** The user's own row: whether they are a platform admin now. */
    public Uni<Boolean> isPlatformAdmin(SqlConnection c, UUID userId) {
        return c.preparedQuery("select platform_admin from tenancy.users where id = $1 and status = 'active'").execute(Tuple.of(userId))
                .map(rows -> first(rows).map(r -> r.getBoolean("platform_admin")).orElse(false));
    }

    /**
     * The active tenants of the scope's user (DbScope.user), to choose from at login: under that scope row-level security
     * shows the user's own memberships and the tenants they are an active member of, nobody else's.
     */
    public Uni<List<TenantChoice>> tenantChoices(SqlConnection c) {
        return c.query("select t.id as tenant_id, t.slug, t.name, m.role, m.permissions, t.require_mfa_for_admins"
                        + " from tenancy.memberships m join tenancy.tenants t on t.id = m.tenant_id"
                        + " where m.status = 'active' and t.status = 'active' order by t.slug")
                .execute()
                .map(rows -> all(rows, r -> new TenantChoice(r.getUUID("tenant_id"), r.getString("slug"),
                        r.getString("name"), r.getString("role"), r.getLong("permissions"), r.getBoolean("require_mfa_for_admins"))));
    }

    public record PendingInvitation(UUID id, UUID tenantId, String email) {
    }

    /** The role and permissions an invitation offers. */
    public record Terms(String role, long permissions) {
    }

    /** A pending, unexpired invitation to an active tenant, presented only as its token's hash (a definer: no scope yet). */
    public Uni<Optional<PendingInvitation>> pendingInvitation(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select invitation_id, tenant_id, email from tenancy.pending_invitation($1)").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new PendingInvitation(r.getUUID("invitation_id"), r.getUUID("tenant_id"), r.getString("email"))));
    }

    /** Accepts the invitation as the scope's user (DbScope.invitee: only one made out to their own email); empty if not pending. */
    public Uni<Optional<Terms>> acceptInvitation(SqlConnection c, UUID invitationId, UUID userId) {
        return c.preparedQuery("update tenancy.invitations set accepted_at = now(), accepted_by = $2"
                + " where id = $1 and accepted_at is null and revoked_at is null and expires_at > now() returning role, permissions")
                .execute(Tuple.of(invitationId, userId))
                .map(rows -> first(rows).map(r -> new Terms(r.getString("role"), r.getLong("permissions"))));
    }

    /**
     * The user joins the tenant on the accepted invitation's terms (DbScope.invitee); someone removed or suspended earlier
     * joins again on them, and an owner stays owner.
     */
    public Uni<Void> join(SqlConnection c, UUID tenantId, UUID userId, Terms terms) {
        return c.preparedQuery("insert into tenancy.memberships (tenant_id, user_id, role, permissions, status) values ($1, $2, $3, $4, 'active')"
                + " on conflict (tenant_id, user_id) do update set role = excluded.role, permissions = excluded.permissions,"
                + " status = 'active', updated_at = now() where tenancy.memberships.role <> 'owner'")
                .execute(Tuple.of(tenantId, userId, terms.role(), terms.permissions())).replaceWithVoid();
    }

    public Uni<Boolean> emailTaken(SqlConnection c, String email) {
        return findLogin(c, email).map(Optional::isPresent);
    }

    public Uni<Void> insertUser(SqlConnection c, UUID id, String email, String displayName, String passwordHash) {
        return c.preparedQuery("insert into tenancy.users (id, email, display_name, password_hash) values ($1, $2, $3, $4)")
                .execute(Tuple.of(id, email, displayName, passwordHash)).replaceWithVoid();
    }

    /** An account whose email the signup link proved. */
    public Uni<Void> insertProvenUser(SqlConnection c, UUID id, String email, String displayName, String passwordHash) {
        return c.preparedQuery("insert into tenancy.users (id, email, display_name, password_hash, email_proven_at) values ($1, $2, $3, $4, now())")
                .execute(Tuple.of(id, email, displayName, passwordHash)).replaceWithVoid();
    }

    /** Whether the scope's own user (DbScope.user) proved its email. */
    public Uni<Boolean> emailProven(SqlConnection c, UUID userId) {
        return c.preparedQuery("select email_proven_at is not null as proven from tenancy.users where id = $1").execute(Tuple.of(userId))
                .map(rows -> first(rows).map(r -> r.getBoolean("proven")).orElse(false));
    }

    /** A new tenant, founded by the scope's user: in the same transaction they may add themselves as its first owner. */
    public Uni<Void> insertTenant(SqlConnection c, UUID id, String slug, String name, UUID founder) {
        return c.preparedQuery("insert into tenancy.tenants (id, slug, name, founded_by) values ($1, $2, $3, $4)")
                .execute(Tuple.of(id, slug, name, founder)).replaceWithVoid();
    }

    public Uni<Void> insertOwnerMembership(SqlConnection c, UUID tenantId, UUID userId, long permissions) {
        return c.preparedQuery("insert into tenancy.memberships (tenant_id, user_id, role, permissions) values ($1, $2, 'owner', $3)")
                .execute(Tuple.of(tenantId, userId, permissions)).replaceWithVoid();
    }

    public Uni<Optional<UUID[]>> refreshTokenScope(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select tenant_id, user_id from tenancy.refresh_token_scope($1)").execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new UUID[] { r.getUUID("tenant_id"), r.getUUID("user_id") }));
    }

    public Uni<Optional<RefreshToken>> lockRefreshToken(SqlConnection c, String tokenHash) {
        return c.preparedQuery("select id, tenant_id, user_id, family_id, expires_at, used_at, revoked_at, amr"
                + " from tenancy.refresh_tokens where token_hash = $1 for update")
                .execute(Tuple.of(tokenHash))
                .map(rows -> first(rows).map(r -> new RefreshToken(r.getUUID("id"), r.getUUID("tenant_id"),
                        r.getUUID("user_id"), r.getUUID("family_id"), r.getOffsetDateTime("expires_at"),
                        r.getOffsetDateTime("used_at"), r.getOffsetDateTime("revoked_at"), r.getString("amr"))));
    }

    public Uni<Void> insertRefreshToken(SqlConnection c, UUID tenantId, UUID userId, UUID familyId, String tokenHash,
            OffsetDateTime expiresAt, String amr) {
        return c.preparedQuery("insert into tenancy.refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at, amr)"
                + " values ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.from(List.of(UUID.randomUUID(), tenantId, userId, familyId, tokenHash, expiresAt, amr)))
                .replaceWithVoid();
    }

    public Uni<Void> markUsed(SqlConnection c, UUID tokenId) {
        return c.preparedQuery("update tenancy.refresh_tokens set used_at = now() where id = $1").execute(Tuple.of(tokenId))
                .replaceWithVoid();
    }

    public Uni<Void> revokeFamily(SqlConnection c, UUID familyId) {
        return c.preparedQuery("update tenancy.refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null")
                .execute(Tuple.of(familyId)).replaceWithVoid();
    }

    /**
     * The whole family of the token with this hash, under the user's own scope (DbScope.user), which may end their
     * sessions in every tenant whatever the state of the membership (refresh_tokens_own_revoke).
     */
    public Uni<Void> revokeFamilyOf(SqlConnection c, String tokenHash) {
        return c.preparedQuery("update tenancy.refresh_tokens set revoked_at = now() where family_id ="
                + " (select family_id from tenancy.refresh_tokens where token_hash = $1) and revoked_at is null")
                .execute(Tuple.of(tokenHash)).replaceWithVoid();
    }

    public Uni<Optional<TenantChoice>> activeMembership(SqlConnection c, UUID tenantId, UUID userId) {
        return c.preparedQuery("select t.id, t.slug, t.name, m.role, m.permissions, t.require_mfa_for_admins from tenancy.memberships m"
                + " join tenancy.tenants t on t.id = m.tenant_id"
                + " where m.tenant_id = $1 and m.user_id = $2 and m.status = 'active' and t.status = 'active'")
                .execute(Tuple.of(tenantId, userId))
                .map(rows -> first(rows).map(r -> new TenantChoice(r.getUUID("id"), r.getString("slug"), r.getString("name"),
                        r.getString("role"), r.getLong("permissions"), r.getBoolean("require_mfa_for_admins"))));
    }
}
