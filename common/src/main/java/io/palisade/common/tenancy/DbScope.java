package io.palisade.common.tenancy;

import java.util.UUID;

/**
 * What a transaction tells the database about its caller: {@code app.tenant_id}, {@code app.user_id},
 * {@code app.principal} and, under platform support access, {@code app.support_session}; accepting an invitation,
 * {@code app.invitation} (its token's hash). Row-level security policies read nothing else. A scope without a tenant
 * sees no tenant-scoped rows at all.
 */
public record DbScope(UUID tenantId, UUID userId, String principal, UUID supportSession, String invitation) {

    private static final String ANONYMOUS = "anonymous";
    private static final String UPKEEP = "upkeep";
    private static final String PLATFORM_WORKER = "platform_worker";
    private static final String VISITOR = "visitor";
    private static final String INVITEE = "invitee";

    public DbScope(UUID tenantId, UUID userId, String principal) {
        this(tenantId, userId, principal, null, null);
    }

    public DbScope(UUID tenantId, UUID userId, String principal, UUID supportSession) {
        this(tenantId, userId, principal, supportSession, null);
    }

    public static DbScope of(TenantContext context) {
        return new DbScope(context.tenantId(), context.userId(), context.principal(), context.supportSessionId());
    }

    /** A signed-in user acting on their own account, before choosing a tenant. */
    public static DbScope user(UUID userId) {
        return new DbScope(null, userId, TenantContext.STAFF);
    }

    /**
     * A consumer or worker acting for one tenant: the tenant of the event or claimed work item, never one taken from
     * its payload. Only the tables a schema opens to workers admit it (policies on app.principal = 'worker'), for
     * that tenant alone; it is no member, so nothing a member may do is open to it.
     */
    public static DbScope worker(UUID tenantId) {
        if (tenantId == null) {
            throw new IllegalArgumentException("a worker scope needs the tenant it acts for");
        }
        return new DbScope(tenantId, null, TenantContext.WORKER);
    }

    /**
     * Somebody nobody knows, on one tenant's public booking widget: the tenant its public slug named. Only policies
     * on app.principal = 'visitor' admit it, for that tenant alone: to read what the widget shows (published
     * offerings and their slots) and to write a hold (a held booking, its guest, contact and email proof). It reads
     * no booking, guest or contact, not even the ones it wrote.
     */
    public static DbScope visitor(UUID tenantId) {
        if (tenantId == null) {
            throw new IllegalArgumentException("a visitor scope needs the tenant whose widget it is on");
        }
        return new DbScope(tenantId, null, VISITOR);
    }

    /**
     * A consumer or worker acting for the platform itself, on what belongs to no tenant (audit-service's platform
     * chain: events such as a failed login that names no tenant). Only policies on app.principal = 'platform_worker'
     * admit it, and only to rows without a tenant; every tenant's rows stay closed to it.
     */
    public static DbScope platformWorker() {
        return new DbScope(null, null, PLATFORM_WORKER);
    }

    /**
     * A service's housekeeping of its own schema across tenants: the outbox relay and the purges of what expired. No
     * tenant and no user: only policies named {@code *_upkeep_*} admit it (app.principal = 'upkeep'), each to one
     * command on one table and, in the policy itself, only to the rows the housekeeping may touch (events not yet
     * published; records past their expiry). The allow-list {@code db/security-definers.txt} names each policy.
     */
    public static DbScope upkeep() {
        return new DbScope(null, null, UPKEEP);
    }

    /**
     * A signed-in user accepting an invitation to one tenant they are not yet an active member of: the tenant the
     * invitation's token named (tenancy.pending_invitation), and the token's hash, which proves the invitation as the
     * token did. Only policies on app.principal = 'invitee' admit it, for that tenant alone: to read that invitation,
     * accept it if it is made out to the user's own email, and join on its terms.
     */
    public static DbScope invitee(UUID tenantId, UUID userId, String invitationTokenHash) {
        if (tenantId == null || userId == null || invitationTokenHash == null) {
            throw new IllegalArgumentException("an invitee scope needs the inviting tenant, the user accepting and the invitation");
        }
        return new DbScope(tenantId, userId, INVITEE, null, invitationTokenHash);
    }

    /**
     * Someone signing in to one tenant, not yet known as its member (after its identity provider vouched): the
     * tenant is in scope for the sign-in helpers, and no policy admits the scope to any row.
     */
    public static DbScope signingInTo(UUID tenantId) {
        return new DbScope(tenantId, null, ANONYMOUS);
    }

    /** Nobody signed in yet (signup, login, an invitation's token): only definer functions help here. */
    public static DbScope anonymous() {
        return new DbScope(null, null, ANONYMOUS);
    }
}
