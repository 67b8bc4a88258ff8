package io.palisade.tenant.tokens;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.palisade.common.audit.AuditEvent;
import io.palisade.common.security.AuthenticationMethods;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.common.web.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The caller of an account endpoint (their own password, their own authenticator): a tenant member signed in
 * to one tenant, or a platform admin. Read from the verified token only.
 */
@RequestScoped
public class SignedInUser {

    private final JsonWebToken token;
    private final CurrentTenant currentTenant;
    private final SecurityIdentity identity;

    SignedInUser(JsonWebToken token, CurrentTenant currentTenant, SecurityIdentity identity) {
        this.token = token;
        this.currentTenant = currentTenant;
        this.identity = identity;
    }

    public UUID userId() {
        return UUID.fromString(token.getSubject());
    }

    /** Whether the token is a platform admin's and the database still knows the user as one (PermissionAugmentor). */
    public boolean platformAdmin() {
        return identity.hasRole(Roles.PLATFORM_ADMIN);
    }

    /** The tenant the token was issued for; null for a platform admin. */
    public UUID tenantId() {
        return platformAdmin() ? null : currentTenant.get().tenantId();
    }

    /**
     * A support session acts in a tenant, never on the platform admin's own account; a session that came from a
     * tenant's IdP (which that tenant controls) may not change the account's own, platform-wide credentials.
     */
    public DbScope scope() {
        if (AuthenticationMethods.includes(token, AuthenticationMethods.SSO)) {
            throw ProblemException.forbidden("sign in with your password to change account settings");
        }
        if (platformAdmin()) {
            return DbScope.user(userId());
        }
        TenantContext context = currentTenant.get();
        if (TenantContext.SUPPORT.equals(context.principal())) {
            throw ProblemException.forbidden("account settings cannot be changed under support access");
        }
        return DbScope.of(context);
    }

    public String role() {
        return platformAdmin() ? Roles.PLATFORM_ADMIN : token.getGroups().iterator().next();
    }

    /** The sign-in session (refresh family) this token belongs to; null for platform tokens. */
    public UUID sessionId() {
        String sid = token.getClaim(AccessTokens.SESSION_CLAIM);
        return sid == null ? null : UUID.fromString(sid);
    }

    public AuditEvent.Actor actor(String clientIp) {
        return platformAdmin() ? new AuditEvent.Actor(userId(), role(), null, clientIp) : AuditEvent.Actor.of(currentTenant.get(), clientIp);
    }
}
