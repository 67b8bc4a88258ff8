package io.palisade.tenant.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a sign-in or refresh returns. Platform tokens come without a refresh token. When a second factor is
 * needed there are no tokens yet: {@code mfaToken} and {@code mfaStep} ({@code verify}: send a code to
 * /auth/mfa; {@code enrol}: the tenant requires MFA, enrol through /auth/mfa/enrolment first).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken, String tenantId,
        String tenantSlug, String mfaToken, String mfaStep) {

    public static TokenResponse secondFactor(String mfaToken, String step, long expiresIn) {
        return new TokenResponse(null, null, expiresIn, null, null, null, mfaToken, step);
    }
}
