package io.palisade.tenant.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.security.AuthenticationMethods;
import io.palisade.common.tenancy.CurrentTenant;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantContext;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Issues short-lived access tokens: RS256, {@code kid} header, claims as in DESIGN.md. */
@ApplicationScoped
public class AccessTokens {

    public static final String AUDIENCE = "palisade";
    public static final String SESSION_CLAIM = "sid";
    /** How the user authenticated (RFC 8176): pwd, otp, sso. */
    /**
     * What support may do in a tenant: everything but managing members and settings, so a session can never
     * leave standing access behind (row-level security refuses membership writes under it as well).
     */
    /**
     * Read-mostly: support looks at bookings, the catalog and the audit log and may fix a booking or an offering; it
     * never moves money (refunds, gift cards), registers a webhook endpoint, cancels, or changes members or settings,
     * since any of those could outlive the session.
     */
    static final long SUPPORT_PERMISSIONS = Permission.BOOKINGS_READ.bit() | Permission.BOOKINGS_WRITE.bit() | Permission.CATALOG_MANAGE.bit()
            | Permission.AUDIT_READ.bit();

    private final SigningKeys keys;
    private final TokenSettings settings;

    @ConfigProperty(name = "palisade.issuer")
    String issuer;

    AccessTokens(SigningKeys keys, TokenSettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    public Duration ttl() {
        return settings.accessTtl();
    }

    /**
     * A token for one tenant: exactly one {@code tid}. {@code sid} names the sign-in session (the refresh
     * token family), so "end my other sessions" knows which one to keep.
     */
    public String forTenant(UUID userId, UUID tenantId, String role, long permissions, UUID sessionId, String amr) {
        return sign(base(userId, List.of(role)).claim(CurrentTenant.TENANT_CLAIM, tenantId.toString())
                .claim(CurrentTenant.PERMISSIONS_CLAIM, permissions).claim(SESSION_CLAIM, sessionId.toString())
                .claim(AuthenticationMethods.CLAIM, List.of(amr.split(" "))));
    }

    /**
     * A guest's token: one tenant, one guest ({@code sub}), principal {@code guest}, no permission bit and no
     * staff role, so every staff endpoint refuses it and row-level security finds no membership for it.
     */
    public String forGuest(UUID guestId, UUID tenantId) {
        Instant now = Instant.now();
        return sign(Jwt.issuer(issuer).audience(AUDIENCE).subject(guestId.toString()).claim("roles", List.of(Roles.GUEST))
                .claim("jti", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now.plus(settings.guestTtl()))
                .claim(CurrentTenant.TENANT_CLAIM, tenantId.toString()).claim(CurrentTenant.PERMISSIONS_CLAIM, 0L)
                .claim(CurrentTenant.PRINCIPAL_CLAIM, TenantContext.GUEST));
    }

    public Duration guestTtl() {
        return settings.guestTtl();
    }

    /**
     * A platform admin's token inside one tenant, under a support session: acts as an admin of the tenant,
     * says so ({@code pty: support}, RFC 8693 {@code act} naming the platform admin, {@code imp} naming the
     * session and its end, for a client's banner), and never outlives the session.
     */
    public String forSupport(UUID platformAdminId, UUID tenantId, UUID sessionId, Instant sessionEnds) {
        Instant now = Instant.now();
        Instant expires = now.plus(settings.accessTtl()).isBefore(sessionEnds) ? now.plus(settings.accessTtl()) : sessionEnds;
        return sign(Jwt.issuer(issuer).audience(AUDIENCE).subject(platformAdminId.toString()).claim("roles", List.of(Roles.ADMIN))
                .claim("jti", UUID.randomUUID().toString()).issuedAt(now).expiresAt(expires)
                .claim(CurrentTenant.TENANT_CLAIM, tenantId.toString()).claim(CurrentTenant.PERMISSIONS_CLAIM, SUPPORT_PERMISSIONS)
                .claim(CurrentTenant.PRINCIPAL_CLAIM, TenantContext.SUPPORT)
                .claim(CurrentTenant.ACTOR_CLAIM, Map.of("sub", platformAdminId.toString(), "role", Roles.PLATFORM_ADMIN))
                .claim(CurrentTenant.IMPERSONATION_CLAIM, Map.of("session", sessionId.toString(), "tenant", tenantId.toString(),
                        "endsAt", sessionEnds.getEpochSecond())));
    }

    /** A platform operator's token: no tenant at all. */
    public String forPlatform(UUID userId, String role, String amr) {
        return sign(base(userId, List.of(role)).claim(CurrentTenant.PERMISSIONS_CLAIM, 0L).claim(AuthenticationMethods.CLAIM, List.of(amr.split(" "))));
    }

    private JwtClaimsBuilder base(UUID userId, List<String> roles) {
        Instant now = Instant.now();
        return Jwt.issuer(issuer).audience(AUDIENCE).subject(userId.toString()).claim("roles", roles)
                .claim("jti", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now.plus(settings.accessTtl()));
    }

    private String sign(JwtClaimsBuilder claims) {
        SigningKeys.ActiveKey key = keys.active();
        return claims.jws().keyId(key.kid()).algorithm(SignatureAlgorithm.RS256).sign(key.privateKey());
    }
}
