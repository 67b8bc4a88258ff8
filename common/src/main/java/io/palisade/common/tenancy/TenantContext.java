package io.palisade.common.tenancy;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Who acts, for which tenant: always taken from a verified token, never from a path, query, body or header.
 *
 * @param tenantId the tenant the token was issued for ({@code tid})
 * @param userId the acting user ({@code sub})
 * @param principal the kind of actor, written to {@code app.principal} (staff, guest, worker, ...)
 * @param roles the token's roles
 * @param permissions the token's permission bit mask ({@code perm})
 * @param impersonatorId under platform support access, the platform admin acting ({@code act.sub}), else null
 * @param supportSessionId under platform support access, the session the token belongs to ({@code imp.session})
 */
public record TenantContext(UUID tenantId, UUID userId, String principal, Set<String> roles, long permissions,
        UUID impersonatorId, UUID supportSessionId) {

    public static final String STAFF = "staff";
    /** A platform admin inside a tenant through a support session. */
    public static final String SUPPORT = "support";
    public static final String GUEST = "guest";
    /** A consumer or background worker acting for the one tenant its event or work item belongs to. */
    public static final String WORKER = "worker";

    public TenantContext {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(principal, "principal");
        roles = Set.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
