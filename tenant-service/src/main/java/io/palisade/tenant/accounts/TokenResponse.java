package io.palisade.tenant.accounts;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What a successful login or refresh returns. Platform tokens come without a refresh token. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken, String tenantId,
        String tenantSlug) {
}
