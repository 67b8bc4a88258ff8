package io.palisade.tenant.members;

import java.util.EnumSet;
import java.util.Set;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.palisade.common.tenancy.Permission;

/** Request bodies of the tenant, member and invitation endpoints. */
public final class MemberRequests {

    private MemberRequests() {
    }

    public record RenameTenant(@NotBlank @Size(max = 200) String name) {
    }

    /** Absent fields stay as they are. */
    public record UpdateMember(@Pattern(regexp = "owner|admin|staff", message = "must be owner, admin or staff") String role,
            Set<Permission> permissions,
            @Pattern(regexp = "active|suspended", message = "must be active or suspended") String status) {
        public UpdateMember {
            permissions = canonical(permissions);
        }
    }

    public record Invite(@NotBlank @Email @Size(max = 254) String email,
            @NotNull @Pattern(regexp = "admin|staff", message = "must be admin or staff") String role,
            Set<Permission> permissions) {
        public Invite {
            permissions = canonical(permissions);
        }
    }

    /** Enum order, so equal requests serialize (and fingerprint for idempotency) identically everywhere. */
    private static Set<Permission> canonical(Set<Permission> permissions) {
        if (permissions == null) {
            return null;
        }
        EnumSet<Permission> ordered = EnumSet.noneOf(Permission.class);
        ordered.addAll(permissions);
        return ordered;
    }

    public record MfaRequirement(@NotNull Boolean requireMfaForAdmins) {
    }
}
