package io.palisade.common.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonNumber;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.Permission;
import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns the token's {@code perm} bit mask into Quarkus permissions, so endpoints declare what they need with
 * {@code @PermissionsAllowed("BOOKINGS_CANCEL")} and a staff member without the bit gets 403.
 */
@ApplicationScoped
public class PermissionAugmentor implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        long mask = mask(token.getClaim(CurrentTenant.PERMISSIONS_CLAIM));
        if (mask == 0 || token.getClaim(CurrentTenant.TENANT_CLAIM) == null) {
            return Uni.createFrom().item(identity);
        }
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder(identity);
        for (Permission permission : Permission.of(mask)) {
            builder.addPermission(new StringPermission(permission.name()));
        }
        return Uni.createFrom().item(builder.build());
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
}
