package io.palisade.booking.guests;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.palisade.common.crypto.Pseudonyms;
import io.vertx.core.json.JsonObject;

/**
 * Short-lived HMAC tokens for guest flows, one domain per purpose: a token made for one purpose (pay, sign a
 * waiver, manage a booking) is refused by every other, an altered or expired one by all. They name the booking
 * by its public reference, never by its id. Format: {@code base64url(payload).hex(HMAC-SHA256)}, the MAC keyed
 * with the lookup key under the purpose {@code guest-token:<domain>}.
 */
@ApplicationScoped
public class GuestTokens {

    public enum Domain {
        PAYMENT, WAIVER, MANAGE
    }

    public record Claims(Domain domain, UUID tenantId, String bookingRef, Instant expiresAt) {
    }

    @Inject
    Pseudonyms mac;

    @ConfigProperty(name = "palisade.guest-tokens.ttl", defaultValue = "PT2H")
    Duration ttl;

    public String issue(Domain domain, UUID tenantId, String bookingRef) {
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(new JsonObject().put("t", tenantId.toString())
                .put("b", bookingRef).put("exp", Instant.now().plus(ttl).getEpochSecond()).encode().getBytes(StandardCharsets.UTF_8));
        return payload + "." + sign(domain, payload);
    }

    /** The claims of a valid token of this domain; empty for anything else (other domain, altered, expired, garbage). */
    public Optional<Claims> verify(Domain domain, String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1 || dot == token.length() - 1) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        if (!MessageDigest.isEqual(sign(domain, payload).getBytes(StandardCharsets.US_ASCII),
                token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        try {
            JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
            Instant expires = Instant.ofEpochSecond(claims.getLong("exp"));
            if (!expires.isAfter(Instant.now())) {
                return Optional.empty();
            }
            return Optional.of(new Claims(domain, UUID.fromString(claims.getString("t")), claims.getString("b"), expires));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private String sign(Domain domain, String payload) {
        return mac.of("guest-token:" + domain.name().toLowerCase(java.util.Locale.ROOT), payload);
    }
}
