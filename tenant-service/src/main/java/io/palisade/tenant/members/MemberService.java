package io.palisade.tenant.members;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.crypto.Hashes;
import io.palisade.common.audit.AuditEvent;
import io.palisade.common.audit.AuditLog;
import io.palisade.common.events.TenancyContract;
import io.palisade.common.outbox.Outbox;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.common.web.Cursor;
import io.palisade.common.web.Page;
import io.palisade.common.web.ProblemException;
import io.palisade.tenant.members.MemberViews.InvitationView;
import io.palisade.tenant.members.MemberViews.MemberView;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** The caller's tenant, its members and invitations. Another tenant's objects simply do not exist here. */
@ApplicationScoped
public class MemberService {

    private final TenantTransactions tx;
    private final MemberRepository repository;
    private final CurrentTenant currentTenant;
    private final Outbox outbox;
    private final AuditLog audit;

    @ConfigProperty(name = "palisade.invitations.ttl", defaultValue = "P7D")
    Duration invitationTtl;

    MemberService(TenantTransactions tx, MemberRepository repository, CurrentTenant currentTenant, Outbox outbox, AuditLog audit) {
        this.tx = tx;
        this.repository = repository;
        this.currentTenant = currentTenant;
        this.outbox = outbox;
        this.audit = audit;
    }

    public Uni<MemberRepository.Tenant> tenant() {
        return tx.inTenant(currentTenant.get(), repository::tenant).map(t -> t.orElseThrow(() -> ProblemException.notFound("the tenant")));
    }

    public Uni<MemberRepository.Tenant> rename(String name, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> repository.tenant(c).chain(before -> repository.renameTenant(c, name).call(renamed -> renamed.isEmpty()
                ? Uni.createFrom().voidItem()
                : outbox.append(c, caller.tenantId(), TenancyContract.TENANT_RENAMED, caller.tenantId().toString(),
                        new TenancyContract.TenantRenamed(name, caller.userId()))
                        .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "tenant.renamed", AuditEvent.Actor.of(caller, clientIp),
                                "tenant", caller.tenantId().toString(), AuditEvent.SUCCESS,
                                new JsonObject().put("name", before.map(MemberRepository.Tenant::name).orElse(null)),
                                new JsonObject().put("name", name), null))))))
                .map(t -> t.orElseThrow(() -> ProblemException.notFound("the tenant")));
    }

    /** Owners decide whether owners and admins must sign in with a second factor. */
    public Uni<MemberRepository.Tenant> requireMfaForAdmins(boolean required, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> repository.tenant(c).chain(before -> repository.requireMfaForAdmins(c, required)
                .call(after -> after.isEmpty() ? Uni.createFrom().voidItem()
                        : audit.record(c, new AuditEvent(caller.tenantId(), "tenant.mfa_requirement_changed",
                                AuditEvent.Actor.of(caller, clientIp), "tenant", caller.tenantId().toString(),
                                AuditEvent.SUCCESS,
                                new JsonObject().put("requireMfaForAdmins", before.map(MemberRepository.Tenant::requireMfaForAdmins).orElse(false)),
                                new JsonObject().put("requireMfaForAdmins", required), null)))))
                .map(t -> t.orElseThrow(() -> ProblemException.notFound("the tenant")));
    }

    public Uni<Page<MemberView>> members(String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        return tx.inTenant(currentTenant.get(), c -> repository.members(c, after.createdAt(), after.id(), limit + 1))
                .map(rows -> Page.of(rows, limit, MemberView::of, m -> new Cursor(m.createdAt(), m.userId())));
    }

    public Uni<MemberView> member(UUID userId) {
        return tx.inTenant(currentTenant.get(), c -> repository.member(c, userId))
                .map(m -> MemberView.of(m.orElseThrow(() -> ProblemException.notFound("the member"))));
    }

    public Uni<MemberView> update(UUID userId, MemberRequests.UpdateMember change, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> repository.lockMember(c, userId).chain(found -> {
            MemberRepository.Member member = found.orElseThrow(() -> ProblemException.notFound("the member"));
            if ("removed".equals(member.status())) {
                throw ProblemException.notFound("the member");
            }
            String role = change.role() == null ? member.role() : change.role();
            String status = change.status() == null ? member.status() : change.status();
            long permissions = change.permissions() == null ? member.permissions() : Permission.mask(change.permissions());
            guardOwnerChanges(caller, member, role);
            guardDelegation(caller, member, role, permissions);
            if (userId.equals(caller.userId()) && (!role.equals(member.role()) || !status.equals(member.status())
                    || permissions != member.permissions())) {
                throw ProblemException.unprocessable("you cannot change your own role, permissions or status");
            }
            boolean authorityChanged = !role.equals(member.role()) || !status.equals(member.status()) || permissions != member.permissions();
            return ensureOwnerRemains(c, member, role, status)
                    .chain(() -> repository.updateMember(c, userId, role, permissions, status))
                    // A changed role, status or permission set ends the member's sessions: refresh tokens get the new ones.
                    .chain(() -> authorityChanged ? repository.endSessions(c, userId) : Uni.createFrom().voidItem())
                    .chain(() -> outbox.append(c, caller.tenantId(), TenancyContract.MEMBER_UPDATED, userId.toString(), new TenancyContract.MemberUpdated(
                            caller.userId(), new TenancyContract.MemberState(member.role(), member.permissions(), member.status()),
                            new TenancyContract.MemberState(role, permissions, status))))
                    .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(),
                            role.equals(member.role()) ? "member.updated" : "member.role_changed", AuditEvent.Actor.of(caller, clientIp),
                            "user", userId.toString(), AuditEvent.SUCCESS, memberState(member.role(), member.permissions(), member.status()),
                            memberState(role, permissions, status), null)))
                    .chain(() -> repository.member(c, userId));
        })).map(m -> MemberView.of(m.orElseThrow()));
    }

    public Uni<Void> remove(UUID userId, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> repository.lockMember(c, userId).chain(found -> {
            MemberRepository.Member member = found.orElseThrow(() -> ProblemException.notFound("the member"));
            if ("removed".equals(member.status())) {
                throw ProblemException.notFound("the member");
            }
            guardOwnerChanges(caller, member, member.role());
            guardDelegation(caller, member, member.role(), member.permissions());
            return ensureOwnerRemains(c, member, member.role(), "removed")
                    .chain(() -> repository.updateMember(c, userId, member.role(), member.permissions(), "removed"))
                    .chain(() -> repository.endSessions(c, userId))
                    .chain(() -> outbox.append(c, caller.tenantId(), TenancyContract.MEMBER_REMOVED, userId.toString(),
                            new TenancyContract.MemberRemoved(caller.userId(), member.role())))
                    .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "member.removed", AuditEvent.Actor.of(caller, clientIp), "user",
                            userId.toString(), AuditEvent.SUCCESS, memberState(member.role(), member.permissions(), member.status()),
                            memberState(member.role(), member.permissions(), "removed"), null)));
        }));
    }

    public Uni<InvitationView> invite(MemberRequests.Invite request, String clientIp) {
        TenantContext caller = currentTenant.get();
        if (Roles.ADMIN.equals(request.role()) && !caller.hasRole(Roles.OWNER)) {
            throw ProblemException.forbidden("only an owner can invite an admin");
        }
        String token = Hashes.randomToken(32);
        UUID id = UUID.randomUUID();
        long permissions = request.permissions() == null ? 0 : Permission.mask(request.permissions());
        if (!isManager(caller) && (permissions & ~caller.permissions()) != 0) {
            throw ProblemException.forbidden("you can only grant permissions you hold yourself");
        }
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(invitationTtl);
        return tx.inTenant(caller, c -> repository.insertInvitation(c, id, caller.tenantId(), request.email().toLowerCase(Locale.ROOT),
                request.role(), permissions, Hashes.sha256Hex(token), caller.userId(), expires)
                .chain(() -> outbox.append(c, caller.tenantId(), TenancyContract.INVITATION_CREATED, id.toString(),
                        new TenancyContract.InvitationCreated(caller.userId(), request.role(), permissions)))
                .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "invitation.created", AuditEvent.Actor.of(caller, clientIp),
                        "invitation", id.toString(), AuditEvent.SUCCESS, null,
                        new JsonObject().put("role", request.role()).put("permissions", permissions).put("expiresAt", expires.toString()), null)))
                .chain(() -> repository.invitation(c, id)))
                .map(i -> InvitationView.of(i.orElseThrow(), token));
    }

    public Uni<List<InvitationView>> invitations() {
        return tx.inTenant(currentTenant.get(), repository::invitations).map(list -> list.stream().map(i -> InvitationView.of(i, null)).toList());
    }

    public Uni<InvitationView> invitation(UUID id) {
        return tx.inTenant(currentTenant.get(), c -> repository.invitation(c, id))
                .map(i -> InvitationView.of(i.orElseThrow(() -> ProblemException.notFound("the invitation")), null));
    }

    public Uni<Void> revokeInvitation(UUID id, String clientIp) {
        TenantContext caller = currentTenant.get();
        return tx.inTenant(caller, c -> repository.revokeInvitation(c, id).chain(revoked -> {
            if (revoked.isEmpty()) {
                throw ProblemException.notFound("the invitation");
            }
            return outbox.append(c, caller.tenantId(), TenancyContract.INVITATION_REVOKED, id.toString(),
                    new TenancyContract.InvitationRevoked(caller.userId()))
                    .chain(() -> audit.record(c, new AuditEvent(caller.tenantId(), "invitation.revoked", AuditEvent.Actor.of(caller, clientIp),
                            "invitation", id.toString(), AuditEvent.SUCCESS, null, null, null)));
        }));
    }

    private static JsonObject memberState(String role, long permissions, String status) {
        return new JsonObject().put("role", role).put("permissions", permissions).put("status", status);
    }

    /** Owners are managed by owners only, and only owners make owners. */
    private static void guardOwnerChanges(TenantContext caller, MemberRepository.Member member, String newRole) {
        boolean touchesOwner = Roles.OWNER.equals(member.role()) || Roles.OWNER.equals(newRole);
        if (touchesOwner && !caller.hasRole(Roles.OWNER)) {
            throw ProblemException.forbidden("only an owner can change an owner or make one");
        }
    }

    /**
     * Nobody hands out more than they hold: only owners make or change admins, and a staff member with
     * MEMBERS_MANAGE manages staff only, granting only bits of their own.
     */
    private static void guardDelegation(TenantContext caller, MemberRepository.Member member, String newRole, long newPermissions) {
        boolean touchesAdmin = Roles.ADMIN.equals(member.role()) || Roles.ADMIN.equals(newRole);
        if (touchesAdmin && !caller.hasRole(Roles.OWNER)) {
            throw ProblemException.forbidden("only an owner can change an admin or make one");
        }
        if (!isManager(caller) && (newPermissions & ~caller.permissions() & ~member.permissions()) != 0) {
            throw ProblemException.forbidden("you can only grant permissions you hold yourself");
        }
    }

    private static boolean isManager(TenantContext caller) {
        return caller.hasRole(Roles.OWNER) || caller.hasRole(Roles.ADMIN);
    }

    /** A tenant never loses its last active owner. */
    private Uni<Void> ensureOwnerRemains(io.vertx.mutiny.sqlclient.SqlConnection c, MemberRepository.Member member, String role,
            String status) {
        boolean losesOwner = Roles.OWNER.equals(member.role()) && "active".equals(member.status())
                && (!Roles.OWNER.equals(role) || !"active".equals(status));
        if (!losesOwner) {
            return Uni.createFrom().voidItem();
        }
        // One owner change per tenant at a time: two owners demoting each other at once would each count the other
        // (each locks only its target) and leave the tenant with no owner.
        return repository.serialiseOwnerChanges(c).chain(() -> repository.activeOwners(c)).map(count -> {
            if (count <= 1) {
                throw ProblemException.conflict("a tenant needs at least one active owner");
            }
            return null;
        });
    }
}
