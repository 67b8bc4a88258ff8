package io.palisade.common.guests;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.json.JsonObject;

/**
 * Short-lived HMAC tokens for guest flows, one domain per purpose: a token made for one purpose (pay, sign a
 * waiver, manage a booking) is refused by every other, an altered or expired one by all. They name the booking
 * by its public reference, never by its id. Format: {@code base64url(payload).hex(HMAC-SHA256)} over
 * {@code "palisade-guest-token:<domain>:" + payload}.
 * <p>
 * Payment tokens have their own key ({@code palisade.guest-tokens.payment-key}), which booking-service (issues)
 * and payment-service (verifies) share; waiver and manage tokens use {@code palisade.guest-tokens.booking-key},
 * which only booking-service holds. A service without a domain's key can neither issue nor accept its tokens.
 */
@ApplicationScoped
public class GuestTokens {

    public enum Domain {
        PAYMENT, WAIVER, MANAGE
    }

    public record Claims(Domain domain, UUID tenantId, String bookingRef, Instant expiresAt) {
    }

    private final Optional<byte[]> paymentKey;
    private final Optional<byte[]> bookingKey;
    private final Duration ttl;

    public GuestTokens(@ConfigProperty(name = "palisade.guest-tokens.payment-key") Optional<String> paymentKey,
            @ConfigProperty(name = "palisade.guest-tokens.booking-key") Optional<String> bookingKey,
            @ConfigProperty(name = "palisade.guest-tokens.ttl", defaultValue = "PT2H") Duration ttl) {
        this.paymentKey = paymentKey.map(GuestTokens::key);
        this.bookingKey = bookingKey.map(GuestTokens::key);
        this.ttl = ttl;
    }

    public String issue(Domain domain, UUID tenantId, String bookingRef) {
        return issue(domain, tenantId, bookingRef, Instant.now().plus(ttl));
    }

    public String issue(Domain domain, UUID tenantId, String bookingRef, Instant expiresAt) {
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(new JsonObject().put("t", tenantId.toString())
                .put("b", bookingRef).put("exp", expiresAt.getEpochSecond()).encode().getBytes(StandardCharsets.UTF_8));
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
        byte[] key = (domain == Domain.PAYMENT ? paymentKey : bookingKey)
                .orElseThrow(() -> new IllegalStateException("this service holds no key for " + domain + " guest tokens"));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("palisade-guest-token:" + domain.name().toLowerCase(Locale.ROOT) + ":" + payload)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] key(String base64) {
        byte[] key = Base64.getDecoder().decode(base64.trim());
        if (key.length < 32) {
            throw new IllegalArgumentException("a guest-token key must be at least 32 bytes (base64)");
        }
        return key;
    }
}
