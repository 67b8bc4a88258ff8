package io.palisade.common.security;

import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.tenancy.TenantTransactions;
import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A staff member's roles and permission bits, as the database holds them now: the access token says who acts and for
 * which tenant, {@code tenancy.current_authority()} what they may do. A member demoted, suspended or stripped of a
 * permission loses that power on the next request, not when the token expires; a platform admin token counts only
 * while the database knows its user as an active platform admin, and only if it was issued after a second factor. Endpoints declare what they need with
 * {@code @RolesAllowed} and {@code @PermissionsAllowed("BOOKINGS_CANCEL")}; {@link CurrentTenant} reads the same.
 * Support-session tokens keep the token's (read-mostly) rights, bounded by their session in the database.
 */
@ApplicationScoped
public class PermissionAugmentor implements SecurityIdentityAugmentor {

    private final TenantTransactions tx;
    private final String issuer;

    PermissionAugmentor(TenantTransactions tx, @ConfigProperty(name = "palisade.issuer") String issuer) {
        this.tx = tx;
        this.issuer = issuer;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        // Only Palisade's own access tokens (a tenant's identity provider's tokens reach the SSO endpoints, too).
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token) || !issuer.equals(token.getIssuer())) {
            return Uni.createFrom().item(identity);
        }
        Object principal = token.getClaim(CurrentTenant.PRINCIPAL_CLAIM);
        String kind = principal == null ? TenantContext.STAFF : text(principal);
        if (TenantContext.SUPPORT.equals(kind)) {
            return Uni.createFrom().item(withPermissions(QuarkusSecurityIdentity.builder(identity), mask(token.getClaim(CurrentTenant.PERMISSIONS_CLAIM)))
                    .build());
        }
        if (!TenantContext.STAFF.equals(kind)) {
            return Uni.createFrom().item(identity);
        }
        Object tid = token.getClaim(CurrentTenant.TENANT_CLAIM);
        // Platform power needs both factors: a token that says platform-admin after a password alone counts for nothing.
        boolean platform = token.getGroups() != null && token.getGroups().contains(Roles.PLATFORM_ADMIN)
                && AuthenticationMethods.includes(token, AuthenticationMethods.ONE_TIME_PASSWORD);
        UUID userId;
        UUID tenantId;
        try {
            userId = UUID.fromString(token.getSubject());
            tenantId = tid == null ? null : UUID.fromString(text(tid));
        } catch (IllegalArgumentException | NullPointerException e) {
            // A malformed token: CurrentTenant answers it with 401 before any tenant work; it holds no permission.
            return Uni.createFrom().item(withoutPlatformRole(identity));
        }
        if (tenantId == null && !platform) {
            // Scoped to no tenant and no platform admin's (or one without a second factor, whose group counts for
            // nothing): CurrentTenant answers 401, as for a malformed one.
            return Uni.createFrom().item(withoutPlatformRole(identity));
        }
        return tx.readOnce(new DbScope(tenantId, userId, TenantContext.STAFF),
                "select role, permissions, platform_admin from tenancy.current_authority()", Tuple.tuple())
                .map(rows -> fromDatabase(identity, platform, tenantId, rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next())));
    }

    private static SecurityIdentity fromDatabase(SecurityIdentity identity, boolean platform, UUID tenantId, Optional<Row> authority) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials()).addAttributes(identity.getAttributes()).setAnonymous(false);
        long mask = 0;
        if (authority.isPresent()) {
            Row row = authority.get();
            if (tenantId != null && row.getString("role") != null) {
                builder.addRole(row.getString("role"));
                mask = Permission.granted(row.getString("role"), row.getLong("permissions"));
            }
            if (platform && Boolean.TRUE.equals(row.getBoolean("platform_admin"))) {
                builder.addRole(Roles.PLATFORM_ADMIN);
            }
        }
        return withPermissions(builder, mask).build();
    }

    private static SecurityIdentity withoutPlatformRole(SecurityIdentity identity) {
        return QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal()).addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes()).setAnonymous(false)
                .addRoles(identity.getRoles().stream().filter(role -> !Roles.PLATFORM_ADMIN.equals(role)).collect(Collectors.toSet()))
                .build();
    }

    private static QuarkusSecurityIdentity.Builder withPermissions(QuarkusSecurityIdentity.Builder builder, long mask) {
        for (Permission permission : Permission.of(mask)) {
            builder.addPermission(new StringPermission(permission.name()));
        }
        return builder.addAttribute(CurrentTenant.PERMISSIONS_ATTRIBUTE, mask);
    }

    private static long mask(Object claim) {
        if (claim instanceof JsonNumber n) {
            return n.longValue();
        }
        if (claim instanceof Number n) {
            return n.longValue();
        }
        return 0;
    }

    private static String text(Object claim) {
        return claim instanceof JsonString s ? s.getString() : String.valueOf(claim);
    }
}
