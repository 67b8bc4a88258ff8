package io.palisade.tenant.members;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import static io.palisade.common.db.Rows.all;
import static io.palisade.common.db.Rows.first;

import io.palisade.common.db.RowLimit;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Tenants, memberships and invitations of the caller's tenant. No statement here filters by tenant: row-level
 * security does, from the transaction's scope.
 */
@ApplicationScoped
public class MemberRepository {

    public record Tenant(UUID id, String slug, String name, String status, boolean requireMfaForAdmins, OffsetDateTime createdAt) {
    }

    public record Member(UUID userId, String email, String displayName, String role, long permissions, String status,
            OffsetDateTime createdAt) {
    }

    public record Invitation(UUID id, String email, String role, long permissions, OffsetDateTime expiresAt,
            OffsetDateTime acceptedAt, OffsetDateTime revokedAt, OffsetDateTime createdAt) {
    }

    private static final String TENANT_COLUMNS = "id, slug, name, status, require_mfa_for_admins, created_at";
    private static final String MEMBER_COLUMNS = "m.user_id, u.email, u.display_name, m.role, m.permissions, m.status, m.created_at"
            + " from tenancy.memberships m join tenancy.users u on u.id = m.user_id";
    private static final String INVITATION_COLUMNS = "id, email, role, permissions, expires_at, accepted_at, revoked_at, created_at"
            + " from tenancy.invitations";

    public Uni<Optional<Tenant>> tenant(SqlConnection c) {
        // The scope's tenant named, not only left to the policies: they also admit a user's own tenants (at login), an OR
        // that would otherwise read the table past its primary key. Prepared, so planned once per connection: sent as a
        // simple query it was planned under the policies at every call (0.26 ms, as long as running it).
        return c.preparedQuery("select " + TENANT_COLUMNS + " from tenancy.tenants where id = tenancy.current_tenant_id()").execute()
                .map(rows -> first(rows).map(MemberRepository::tenant));
    }

    public Uni<Optional<Tenant>> renameTenant(SqlConnection c, String name) {
        return c.preparedQuery("update tenancy.tenants set name = $1, updated_at = now() returning " + TENANT_COLUMNS)
                .execute(Tuple.of(name)).map(rows -> first(rows).map(MemberRepository::tenant));
    }

    public Uni<Optional<Tenant>> requireMfaForAdmins(SqlConnection c, boolean required) {
        return c.preparedQuery("update tenancy.tenants set require_mfa_for_admins = $1, updated_at = now() returning " + TENANT_COLUMNS)
                .execute(Tuple.of(required)).map(rows -> first(rows).map(MemberRepository::tenant));
    }

    public Uni<List<Member>> members(SqlConnection c, OffsetDateTime afterCreated, UUID afterUser, int limit) {
        return c.preparedQuery("select " + MEMBER_COLUMNS
                + " where ($1::timestamptz is null or (m.created_at, m.user_id) > ($1, $2)) order by m.created_at, m.user_id" + RowLimit.of(limit))
                .execute(Tuple.of(afterCreated, afterUser))
                .map(rows -> all(rows, MemberRepository::member));
    }

    public Uni<Optional<Member>> member(SqlConnection c, UUID userId) {
        return c.preparedQuery("select " + MEMBER_COLUMNS + " where m.user_id = $1").execute(Tuple.of(userId))
                .map(rows -> first(rows).map(MemberRepository::member));
    }

    /** The member, locked until the transaction ends, so concurrent changes apply one after the other. */
    public Uni<Optional<Member>> lockMember(SqlConnection c, UUID userId) {
        return c.preparedQuery("select " + MEMBER_COLUMNS + " where m.user_id = $1 for update of m").execute(Tuple.of(userId))
                .map(rows -> first(rows).map(MemberRepository::member));
    }

    public Uni<Void> updateMember(SqlConnection c, UUID userId, String role, long permissions, String status) {
        return c.preparedQuery("update tenancy.memberships set role = $2, permissions = $3, status = $4, updated_at = now()"
                + " where user_id = $1").execute(Tuple.of(userId, role, permissions, status)).replaceWithVoid();
    }

    /** Waits for any other transaction changing this tenant's owners to end (the lock is the transaction's). */
    public Uni<Void> serialiseOwnerChanges(SqlConnection c) {
        return c.query("select pg_advisory_xact_lock(hashtext('tenancy.owners:' || tenancy.current_tenant_id()::text))").execute()
                .replaceWithVoid();
    }

    public Uni<Long> activeOwners(SqlConnection c) {
        return c.query("select count(*) from tenancy.memberships where role = 'owner' and status = 'active'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Void> insertInvitation(SqlConnection c, UUID id, UUID tenantId, String email, String role, long permissions,
            String tokenHash, UUID invitedBy, OffsetDateTime expiresAt) {
        return c.preparedQuery("insert into tenancy.invitations (id, tenant_id, email, role, permissions, token_hash, invited_by,"
                + " expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(List.of(id, tenantId, email, role, permissions, tokenHash, invitedBy, expiresAt)))
                .replaceWithVoid();
    }

    public Uni<List<Invitation>> invitations(SqlConnection c) {
        return c.query("select " + INVITATION_COLUMNS + " order by created_at desc, id limit 500").execute()
                .map(rows -> all(rows, MemberRepository::invitation));
    }

    public Uni<Optional<Invitation>> invitation(SqlConnection c, UUID id) {
        return c.preparedQuery("select " + INVITATION_COLUMNS + " where id = $1").execute(Tuple.of(id))
                .map(rows -> first(rows).map(MemberRepository::invitation));
    }

    public Uni<Optional<Invitation>> revokeInvitation(SqlConnection c, UUID id) {
        return c.preparedQuery("update tenancy.invitations set revoked_at = coalesce(revoked_at, now()) where id = $1"
                + " and accepted_at is null returning " + INVITATION_COLUMNS.replace(" from tenancy.invitations", ""))
                .execute(Tuple.of(id)).map(rows -> first(rows).map(MemberRepository::invitation));
    }

    private static Tenant tenant(Row r) {
        return new Tenant(r.getUUID("id"), r.getString("slug"), r.getString("name"), r.getString("status"),
                r.getBoolean("require_mfa_for_admins"), r.getOffsetDateTime("created_at"));
    }

    private static Member member(Row r) {
        return new Member(r.getUUID("user_id"), r.getString("email"), r.getString("display_name"), r.getString("role"),
                r.getLong("permissions"), r.getString("status"), r.getOffsetDateTime("created_at"));
    }

    private static Invitation invitation(Row r) {
        return new Invitation(r.getUUID("id"), r.getString("email"), r.getString("role"), r.getLong("permissions"),
                r.getOffsetDateTime("expires_at"), r.getOffsetDateTime("accepted_at"), r.getOffsetDateTime("revoked_at"),
                r.getOffsetDateTime("created_at"));
    }

    /** Ends every session of the member in the scope's tenant; only an owner or admin may (refresh_tokens_admin_revoke). */
    public Uni<Void> endSessions(SqlConnection c, UUID userId) {
        return c.preparedQuery("update tenancy.refresh_tokens set revoked_at = now()"
                + " where tenant_id = tenancy.current_tenant_id() and user_id = $1 and revoked_at is null")
                .execute(Tuple.of(userId)).replaceWithVoid();
    }
}
