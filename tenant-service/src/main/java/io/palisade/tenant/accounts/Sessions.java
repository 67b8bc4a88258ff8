package io.palisade.tenant.accounts;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.palisade.common.crypto.Hashes;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.Permission;
import io.palisade.common.tenancy.Roles;
import io.palisade.common.tenancy.TenantTransactions;
import io.palisade.tenant.accounts.AccountRepository.TenantChoice;
import io.palisade.tenant.tokens.AccessTokens;
import io.palisade.tenant.tokens.TokenSettings;
import io.smallrye.mutiny.Uni;

/** Issues the tokens of a sign-in: an access token, and for a tenant a refresh token starting a session. */
@ApplicationScoped
public class Sessions {

    private final TenantTransactions tx;
    private final AccountRepository accounts;
    private final AccessTokens accessTokens;
    private final TokenSettings settings;

    Sessions(TenantTransactions tx, AccountRepository accounts, AccessTokens accessTokens, TokenSettings settings) {
        this.tx = tx;
        this.accounts = accounts;
        this.accessTokens = accessTokens;
        this.settings = settings;
    }

    public Uni<TokenResponse> start(Grant grant) {
        if (grant.platform()) {
            String token = accessTokens.forPlatform(grant.userId(), Roles.PLATFORM_ADMIN, grant.amr());
            return Uni.createFrom().item(new TokenResponse(token, "Bearer", accessTokens.ttl().toSeconds(), null, null, null, null, null));
        }
        TenantChoice tenant = grant.tenant();
        UUID familyId = UUID.randomUUID();
        String refreshToken = Hashes.randomToken(32);
        return tx.inScope(new DbScope(tenant.tenantId(), grant.userId(), "staff"),
                c -> accounts.insertRefreshToken(c, tenant.tenantId(), grant.userId(), familyId, Hashes.sha256Hex(refreshToken), refreshExpiry(),
                        grant.amr()))
                .map(ignored -> tokens(tenant, grant.userId(), familyId, refreshToken, grant.amr()));
    }

    public OffsetDateTime refreshExpiry() {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(settings.refreshTtl());
    }

    public TokenResponse tokens(TenantChoice tenant, UUID userId, UUID familyId, String refreshToken, String amr) {
        String access = accessTokens.forTenant(userId, tenant.tenantId(), tenant.role(), effectivePermissions(tenant), familyId, amr);
        return new TokenResponse(access, "Bearer", accessTokens.ttl().toSeconds(), refreshToken, tenant.tenantId().toString(),
                tenant.slug(), null, null);
    }

    static long effectivePermissions(TenantChoice membership) {
        return Permission.granted(membership.role(), membership.permissions());
    }
}
