package io.palisade.tenant.members;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.palisade.common.tenancy.Permission;

/** Response bodies: what callers see, never hashes or tokens (except an invitation's token, once). */
public final class MemberViews {

    private MemberViews() {
    }

    public record MemberView(UUID userId, String email, String displayName, String role, Set<Permission> permissions,
            String status, OffsetDateTime joinedAt) {
        static MemberView of(MemberRepository.Member m) {
            return new MemberView(m.userId(), m.email(), m.displayName(), m.role(), Permission.of(m.permissions()), m.status(),
                    m.createdAt());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InvitationView(UUID id, String email, String role, Set<Permission> permissions, String state,
            OffsetDateTime expiresAt, OffsetDateTime createdAt, String acceptToken) {
        static InvitationView of(MemberRepository.Invitation i, String acceptToken) {
            String state = i.acceptedAt() != null ? "accepted" : i.revokedAt() != null ? "revoked"
                    : i.expiresAt().isBefore(OffsetDateTime.now()) ? "expired" : "pending";
            return new InvitationView(i.id(), i.email(), i.role(), Permission.of(i.permissions()), state, i.expiresAt(),
                    i.createdAt(), acceptToken);
        }
    }
}
