package io.palisade.common.tenancy;

import java.util.HashSet;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The request's tenant context, read from the verified access token only. A request without a verified
 * token, or with a token that names no tenant, has no tenant context and is refused with 401.
 */
@RequestScoped
public class CurrentTenant {

    /** Where common's security.PermissionAugmentor leaves the permission bits it read from the database. */
    public static final String PERMISSIONS_ATTRIBUTE = "palisade.permissions";

    public static final String TENANT_CLAIM = "tid";
    public static final String PERMISSIONS_CLAIM = "perm";
    public static final String PRINCIPAL_CLAIM = "pty";
    public static final String ACTOR_CLAIM = "act";
    public static final String IMPERSONATION_CLAIM = "imp";

    private final JsonWebToken token;
    private final SecurityIdentity identity;

    private TenantContext context;

    CurrentTenant(JsonWebToken token, SecurityIdentity identity) {
        this.token = token;
        this.identity = identity;
    }

    public TenantContext get() {
        if (context == null) {
            context = fromToken();
        }
        return context;
    }

    private TenantContext fromToken() {
        if (token == null || token.getRawToken() == null) {
            throw new UnauthorizedException("a bearer token is required");
        }
        Object tid = token.getClaim(TENANT_CLAIM);
        if (tid == null) {
            throw new UnauthorizedException("this token is not scoped to a tenant");
        }
        try {
            UUID tenantId = UUID.fromString(text(tid));
            UUID userId = UUID.fromString(token.getSubject());
            Object principal = token.getClaim(PRINCIPAL_CLAIM);
            // Roles and permissions as PermissionAugmentor found them in the database, not as the token claims them.
            Long permissions = identity.getAttribute(PERMISSIONS_ATTRIBUTE);
            return new TenantContext(tenantId, userId, principal == null ? TenantContext.STAFF : text(principal),
                    new HashSet<>(identity.getRoles()), permissions == null ? 0 : permissions, impersonator(), supportSession());
        } catch (IllegalArgumentException | NullPointerException | ClassCastException | ArithmeticException e) {
            throw new UnauthorizedException("malformed tenant claims");
        }
    }

    /** RFC 8693's actor claim: {@code act: {sub: <platform admin>}} on support-session tokens. */
    private UUID impersonator() {
        Object act = token.getClaim(ACTOR_CLAIM);
        if (act instanceof jakarta.json.JsonObject actor && actor.get("sub") instanceof JsonString sub) {
            return UUID.fromString(sub.getString());
        }
        return null;
    }

    /** The support session of a support token ({@code imp.session}); the database admits it only while it runs. */
    private UUID supportSession() {
        Object imp = token.getClaim(IMPERSONATION_CLAIM);
        if (imp instanceof jakarta.json.JsonObject impersonation && impersonation.get("session") instanceof JsonString session) {
            return UUID.fromString(session.getString());
        }
        return null;
    }

    private static String text(Object claim) {
        return claim instanceof JsonString s ? s.getString() : claim.toString();
    }
}
