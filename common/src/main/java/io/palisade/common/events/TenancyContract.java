package io.palisade.common.events;

import java.util.UUID;


/** tenant-service's events (palisade.tenancy.events); the subject is the tenant, the member or the invitation. */
public final class TenancyContract {

    public record TenantCreated(String slug, UUID owner) {
    }

    public record TenantRenamed(String name, UUID by) {
    }

    /** A member's role, permission bits and status. */
    public record MemberState(String role, long permissions, String status) {
    }

    public record MemberUpdated(UUID by, MemberState before, MemberState after) {
    }

    public record MemberRemoved(UUID by, String role) {
    }

    public record MemberJoined(UUID invitation, String role, long permissions) {
    }

    public record InvitationCreated(UUID by, String role, long permissions) {
    }

    public record InvitationRevoked(UUID by) {
    }

    public static final EventType<TenantCreated> TENANT_CREATED = of("tenant.created", TenantCreated.class, "a tenant signed up, with its owner");
    public static final EventType<TenantRenamed> TENANT_RENAMED = of("tenant.renamed", TenantRenamed.class, "the tenant's name changed");
    public static final EventType<MemberUpdated> MEMBER_UPDATED = of("member.updated", MemberUpdated.class,
            "a member's role, permissions or status changed");
    public static final EventType<MemberRemoved> MEMBER_REMOVED = of("member.removed", MemberRemoved.class, "a member was removed");
    public static final EventType<MemberJoined> MEMBER_JOINED = of("member.joined", MemberJoined.class, "an invitee joined");
    public static final EventType<InvitationCreated> INVITATION_CREATED = of("invitation.created", InvitationCreated.class,
            "someone was invited");
    public static final EventType<InvitationRevoked> INVITATION_REVOKED = of("invitation.revoked", InvitationRevoked.class,
            "an invitation was revoked");

    private static <T> EventType<T> of(String type, Class<T> data, String meaning) {
        return new EventType<>(type, Topics.TENANCY, 1, data, false, meaning);
    }

    private TenancyContract() {
    }
}
