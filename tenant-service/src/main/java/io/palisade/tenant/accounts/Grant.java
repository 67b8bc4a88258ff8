package io.palisade.tenant.accounts;

import java.util.UUID;

import io.palisade.common.security.AuthenticationMethods;
import io.palisade.common.tenancy.DbScope;
import io.palisade.common.tenancy.TenantContext;
import io.palisade.tenant.accounts.AccountRepository.TenantChoice;

/**
 * A sign-in that passed its checks, before tokens are issued: a user and the tenant membership chosen, or
 * the platform (tenant null) for a platform admin. The identifier is the login identifier's lockout key (proven when
 * the sign-in carried an unlock link from the mailbox, so that its lock does not apply to the second factor); amr
 * says how the user authenticated (RFC 8176: {@code pwd}, {@code pwd otp}, {@code sso}).
 */
public record Grant(UUID userId, TenantChoice tenant, String identifier, boolean identifierProven, String amr) {

    public static final String PASSWORD = AuthenticationMethods.PASSWORD;
    public static final String PASSWORD_AND_OTP = AuthenticationMethods.PASSWORD + " " + AuthenticationMethods.ONE_TIME_PASSWORD;
    public static final String SSO = AuthenticationMethods.SSO;

    public boolean platform() {
        return tenant == null;
    }

    public UUID tenantId() {
        return tenant == null ? null : tenant.tenantId();
    }

    public DbScope scope() {
        return new DbScope(tenantId(), userId, TenantContext.STAFF);
    }
}
